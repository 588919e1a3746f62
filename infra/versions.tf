# The one-time account bootstrap a team applies before its first slm pipeline
# (README.md beside this file). Its own state is local the first time; move
# it into the bucket it creates afterwards (terraform init -migrate-state).
terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.52"
    }
  }
}
