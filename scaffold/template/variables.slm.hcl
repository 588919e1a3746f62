# Compile-time variables: envs/<env>.slmvars.hcl set them per environment.

variable "env" {
  type        = string
  description = "Deployment environment"
  validation {
    condition     = contains(["dev", "staging", "prod"], var.env)
    error_message = "env must be dev, staging or prod."
  }
}

variable "region" {
  type    = string
  default = "[[.Region]]"
}

variable "account_id" {
  type        = string
  description = "The AWS account the environment lives in"
}

variable "bucket_suffix" {
  type        = string
  description = "Makes bucket names globally unique, e.g. your account alias"
}

variable "train_instance_type" {
  type    = string
  default = "ml.g5.xlarge"
}

variable "use_spot" {
  type    = bool
  default = true
}

variable "epochs" {
  type    = number
  default = 3
}

variable "min_accuracy" {
  type    = number
  default = 0.9
}

variable "alert_emails" {
  type    = list(string)
  default = []
}
