locals {
  name = "intent-prod"
  tags = {
    cost-center       = "ml-research"
    environment       = "prod"
    managed-by        = "slm"
    product           = "store-assistant"
    project           = "intent"
    slm-source-digest = "a237ace52f1681aded087e430f3c4c72249ca77482b613cc0b77a70c7ec53823"
    team              = "ml-platform"
  }
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
}
