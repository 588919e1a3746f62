provider "aws" {
  region              = var.region
  allowed_account_ids = ["222222222222"]
  default_tags {
    tags = local.tags
  }
}
