# Before, instance_count = 2 emitted two hosts and no distribution settings:
# two independent copies of the training script.
dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}

prepare "p" {
  dataset = dataset.d
  output  = storage.data
}

finetune "cpu" {
  data   = prepare.p
  output = storage.artifacts
  method = "lora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type  = "ml.m5.xlarge"
    instance_count = 2 # ERROR: Distributed training needs GPUs
    image          = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-cpu-training:1"
  }
}

finetune "q" {
  data   = prepare.p
  output = storage.artifacts
  method = "qlora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type  = "ml.g5.xlarge"
    instance_count = 2 # ERROR: QLoRA cannot scale out
  }
}

finetune "q4" {
  data   = prepare.p
  output = storage.artifacts
  method = "qlora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type = "ml.g5.12xlarge" # WARNING: QLoRA uses one GPU
  }
}
