dataset "d" {
  source      = "s3://t-data-bucket/raw/"
  format      = "jsonl"
  label_field = "intent"
}

prepare "p" {
  dataset = dataset.d
  compute {
    instance_type = "ml.p4d.24xlarge" # ERROR: Unknown instance type
  }
  output  = storage.data
  
}

finetune "f" {
  data   = prepare.p
  output = storage.artifacts
  method = "lora"
  
  base_model {
    hub_id   = "sentence-transformers/all-MiniLM-L6-v2"
    revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query", "value"]
  }
  hyperparameters {
    epochs        = 3
    learning_rate = 1e-4
    batch_size    = 16
  }
  compute {
    instance_type = "ml.g9x.xlarge" # ERROR: Unknown instance type
    
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
