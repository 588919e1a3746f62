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

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      managed-by = "slm-bootstrap"
      repository = var.github_repository
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  # GitHub's OIDC issuer and the audience configure-aws-credentials asks for.
  github_issuer   = "token.actions.githubusercontent.com"
  github_audience = "sts.amazonaws.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : (
    "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_issuer}"
  )
}
