resource "aws_sagemaker_model_package_group" "intent" {
  model_package_group_name        = "slm-staging-intent-classifier"
  model_package_group_description = "slm intent-staging: slm-staging-intent-classifier models"
}
