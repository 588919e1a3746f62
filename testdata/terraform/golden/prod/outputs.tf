output "sagemaker_execution_role_arn" {
  description = "The role SageMaker runs the pipeline and its jobs as; slm apply creates the pipeline with it."
  value       = aws_iam_role.sagemaker_execution.arn
}

output "ci_role_arn" {
  description = "The role CI assumes to plan and apply."
  value       = aws_iam_role.ci.arn
}

output "alarm_topic_arn" {
  description = "Where alarms and model approvals are announced."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "The estate's customer managed key."
  value       = aws_kms_key.this.arn
}

output "greengrass_role_alias" {
  description = "The IoT role alias Greengrass core devices exchange their certificate for credentials with."
  value       = aws_iot_role_alias.greengrass_tes.alias
}

output "thing_group_arns" {
  description = "Thing group ARNs by name: the deployments' targets."
  value = {
    intent-stores-prod = aws_iot_thing_group.stores.arn
  }
}

output "buckets" {
  description = "Bucket names by storage block: slm apply uploads to them and takes its lock in the artifact storage's."
  value = {
    artifacts = aws_s3_bucket.artifacts.bucket
    edge      = aws_s3_bucket.edge.bucket
    processed = aws_s3_bucket.processed_raw.bucket
    raw       = aws_s3_bucket.processed_raw.bucket
  }
}
