provider "aws" {
  region              = var.region
  allowed_account_ids = ["111111111111"]
  default_tags {
    tags = local.tags
  }
}
