locals {
  name = "intent-staging"
  tags = {
    cost-center       = "ml-research"
    environment       = "staging"
    managed-by        = "slm"
    product           = "store-assistant"
    project           = "intent"
    slm-source-digest = "6bd4856fb68f96baebfe6b5fac36430041e27879b2418032a8f30bedf8ceaeda"
    team              = "ml-platform"
  }
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
}
