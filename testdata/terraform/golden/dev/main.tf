resource "aws_sagemaker_model_package_group" "intent" {
  model_package_group_name        = "slm-dev-intent-classifier"
  model_package_group_description = "slm intent-dev: slm-dev-intent-classifier models"
}
