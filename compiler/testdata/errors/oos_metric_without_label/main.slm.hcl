# The model has no export.out_of_scope_label (data without an out-of-scope
# class): the report leaves the OOS metrics out, so a gate on them is refused.
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

gate "oos" {
  evaluation = evaluate.e
  threshold "out_of_scope_recall" { # ERROR: Out-of-scope metric without an out-of-scope label
    min = 0.8
  }
}

register "r" {
  model               = finetune.f
  evaluation          = evaluate.e
  gates               = [gate.g, gate.oos]
  model_package_group = "t-models"
  approval            = "Approved"
}
