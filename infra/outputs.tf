output "state_bucket" {
  description = "The state bucket: the GitHub variable SLM_STATE_BUCKET, and terraform init -backend-config=bucket=..."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  description = "The key the state is encrypted with."
  value       = aws_kms_key.state.arn
}

output "oidc_provider_arn" {
  description = "GitHub's OIDC provider in this account."
  value       = local.oidc_provider_arn
}

output "plan_role_arns" {
  description = "Per environment, the role pull requests plan with: the GitHub variables SLM_PLAN_ROLE_<ENV>, and SLM_ROLE of the <env>-plan environments."
  value       = zipmap(keys(aws_iam_role.plan), values(aws_iam_role.plan)[*].arn)
}

output "deploy_role_arns" {
  description = "Per environment, the role merges deploy with: the variable SLM_ROLE of the GitHub environment <env>."
  value       = zipmap(keys(aws_iam_role.deploy), values(aws_iam_role.deploy)[*].arn)
}
