resource "aws_sagemaker_model_package_group" "intent" {
  model_package_group_name        = "slm-prod-intent-classifier"
  model_package_group_description = "slm intent-prod: slm-prod-intent-classifier models"
}

resource "aws_sagemaker_pipeline" "this" {
  pipeline_name         = "intent-prod"
  pipeline_display_name = "intent-prod"
  pipeline_description  = "Intent classifier for in-store assistants"
  role_arn              = aws_iam_role.sagemaker_execution.arn
  pipeline_definition   = file("${path.module}/pipeline-definition.json")
  parallelism_configuration {
    max_parallel_execution_steps = 4
  }
  depends_on = [aws_iam_role_policy.sagemaker_execution]
}
