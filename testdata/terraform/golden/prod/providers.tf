provider "aws" {
  region              = var.region
  allowed_account_ids = ["333333333333"]
  default_tags {
    tags = local.tags
  }
}
