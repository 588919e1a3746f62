resource "aws_sagemaker_model_package_group" "intent" {
  model_package_group_name        = "slm-prod-intent-classifier"
  model_package_group_description = "slm intent-prod: slm-prod-intent-classifier models"
}
