locals {
  name = "intent-dev"
  tags = {
    cost-center       = "ml-research"
    environment       = "dev"
    managed-by        = "slm"
    product           = "store-assistant"
    project           = "intent"
    slm-source-digest = "b6449d5440a8d821cd0f383f3c996e9186d256379b261424b6597297fc7ec2c0"
    team              = "ml-platform"
  }
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
}
