variable "region" {
  description = "AWS region of the estate."
  type        = string
  default     = "eu-west-1"
}

variable "ci_principal_arns" {
  description = "IAM principals allowed to assume the CI role; empty means the account's own principals with IAM permission to do so."
  type        = list(string)
  default     = []
}
