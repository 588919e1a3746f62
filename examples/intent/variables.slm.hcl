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
  default = "eu-west-1"
}

variable "account_id" {
  type        = string
  description = "The AWS account the environment lives in"
}

variable "cost_center" {
  type    = string
  default = "ml-research"
}

variable "bucket_suffix" {
  type        = string
  description = "Makes bucket names globally unique, e.g. the account alias"
}

variable "train_instance_type" {
  type    = string
  default = "ml.g5.xlarge"
}

variable "processing_instance_type" {
  type    = string
  default = "ml.m5.large"
}

variable "use_spot" {
  type    = bool
  default = true
}

variable "epochs" {
  type    = number
  default = 5
}

variable "min_accuracy" {
  type    = number
  default = 0.9
  validation {
    condition     = var.min_accuracy > 0 && var.min_accuracy <= 1
    error_message = "min_accuracy is a ratio between 0 and 1."
  }
}

variable "approval_status" {
  type    = string
  default = "PendingManualApproval"
}

variable "rollout_rate" {
  type    = number
  default = 5
}

variable "alert_emails" {
  type    = list(string)
  default = []
}
