# Before, every location below became a channel or input while the
# execution role could read none of them, and nothing said so.
parameter "day_uri" {
  type    = string
  default = "s3://other-team-bucket/daily/2026-01-01/"
}

dataset "granted" {
  source = "s3://shared-datasets/intents/v3/"
  format = "jsonl"
}

dataset "outside" {
  source = "s3://other-team-bucket/intents/" # ERROR: S3 location outside the execution role's reach
  format = "jsonl"
}

dataset "by_param" {
  source = param.day_uri # ERROR: S3 location outside the execution role's reach
  format = "csv"
}

dataset "templated" {
  source = "s3://other-team-bucket/${param.day_uri}/" # ERROR: S3 location outside the execution role's reach
  format = "jsonl"
}

prepare "p" {
  dataset = dataset.granted
  output  = storage.data
}

finetune "f" {
  data        = prepare.p
  output      = storage.artifacts
  method      = "lora"
  checkpoints = "s3://other-team-bucket/ckpt/" # ERROR: S3 location outside the pipeline's storage
  base_model {
    s3_uri = "s3://model-zoo-bucket/minilm/" # ERROR: S3 location outside the execution role's reach
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}
