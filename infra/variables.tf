variable "region" {
  type        = string
  description = "AWS region of the state bucket (the pipelines' region)."
}

variable "state_bucket" {
  type        = string
  description = "Name of the bucket for Terraform's S3 backend state and lock files, and slm's lock; globally unique."
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (owner/name) whose workflows may assume the CI roles."
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository is owner/name, e.g. acme/intent-classifier."
  }
}

variable "environments" {
  type        = list(string)
  description = "The slm environments: one plan role and one deploy role each."
  default     = ["dev", "staging", "prod"]
}

variable "deploy_policy_arns" {
  type        = list(string)
  description = "Managed policies the deploy roles get to apply the generated estate (IAM roles, buckets, KMS, SageMaker, IoT). Your call: the estate's own least-privilege CI policy is its Terraform output ci_role_arn's policy, which exists only after a first apply."
  default     = []
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create GitHub's OIDC provider; false when the account has one already (an account holds one per issuer)."
  default     = true
}
