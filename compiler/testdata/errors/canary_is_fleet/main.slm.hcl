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
    target_modules = ["query"]
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

register "r" {
  model               = finetune.f
  evaluation          = evaluate.e
  gates               = [gate.g]
  model_package_group = "t-models"
  approval            = "Approved"
}

edge_target "fleet" {
  model          = register.r
  thing_group    = "t-fleet"
  platforms      = ["linux/amd64"]
  component_name = "com.example.T"
  storage        = storage.edge
  canary {
    thing_group = "t-fleet" # ERROR: Canary is the fleet
  }
}

edge_target "other" { # ERROR: Two targets for one thing group
  model          = register.r
  thing_group    = "t-other"
  platforms      = ["linux/amd64"]
  component_name = "com.example.U"
  storage        = storage.edge
  canary {
    thing_group = "t-fleet"
  }
}
