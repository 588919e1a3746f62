locals {
  name = "intent-prod"
  tags = {
    cost-center       = "ml-research"
    environment       = "prod"
    managed-by        = "slm"
    product           = "store-assistant"
    project           = "intent"
    slm-source-digest = "a5a5b67a71fb9887456603780c0a49757709291feef5eba22aec3df4b6d8d2b8"
    team              = "ml-platform"
  }
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
}
