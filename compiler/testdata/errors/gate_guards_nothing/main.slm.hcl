dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}

prepare "p" {
  dataset = dataset.d
  output  = storage.data
}

finetune "f" {
  data   = prepare.p
  output = storage.artifacts
  method = "lora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query", "value"]
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}

evaluate "e" {
  model = finetune.f
  data  = prepare.p
}

gate "g" {
  evaluation = evaluate.e
  threshold "accuracy" {
    min = 0.9
  }
}

# Listed nowhere: before, it compiled to a top-level Condition step with
# empty IfSteps running beside the real chain.
gate "stray" { # ERROR: Gate guards nothing
  evaluation = evaluate.e
  threshold "macro_f1" {
    min = 0.8
  }
}

register "r" {
  model               = finetune.f
  evaluation          = evaluate.e
  gates               = [gate.g]
  model_package_group = "t-models"
  approval            = "Approved"
}
