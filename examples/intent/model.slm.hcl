finetune "intent" {
  data        = prepare.intents
  output      = storage.artifacts
  method      = "lora"
  checkpoints = "${storage.artifacts.uri}checkpoints/intent/"

  base_model {
    hub_id   = "sentence-transformers/all-MiniLM-L6-v2"
    revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
  }

  tokenizer {
    max_seq_length = 64
  }

  lora {
    r              = 16
    alpha          = 32
    dropout        = 0.1
    target_modules = ["query", "key", "value", "dense"]
  }

  hyperparameters {
    epochs        = var.epochs
    learning_rate = 5e-4
    batch_size    = 32
    warmup_ratio  = 0.06
    seed          = 42
  }

  export {
    quantize_int8      = true
    out_of_scope_label = "oos"
  }

  compute {
    instance_type  = var.train_instance_type
    instance_count = 1
    volume_size_gb = 50
    max_runtime    = "2h"
    spot           = var.use_spot
    max_wait       = var.use_spot ? "4h" : null
  }

  retry {
    on           = ["SageMaker.CAPACITY_ERROR", "SageMaker.JOB_INTERNAL_ERROR"]
    max_attempts = 2
  }
}

evaluate "intent" {
  model   = finetune.intent
  data    = prepare.intents
  variant = "int8"

  compute {
    instance_type = var.processing_instance_type
    max_runtime   = "30m"
  }
}

gate "quality" {
  evaluation = evaluate.intent
  message    = "The intent model is below the quality bar; it was not registered."

  threshold "accuracy" {
    min = param.min_accuracy
  }
  threshold "macro_f1" {
    min = 0.85
  }
  threshold "out_of_scope_recall" {
    min = 0.5
  }
}

gate "latency" {
  evaluation = evaluate.intent

  threshold "latency_p95_ms" {
    max = 50
  }
}

register "intent" {
  model                    = finetune.intent
  evaluation               = evaluate.intent
  gates                    = [gate.latency, gate.quality]
  model_package_group      = "${local.name_prefix}-intent-classifier"
  approval                 = param.approval_status
  description              = "LoRA fine-tuned all-MiniLM-L6-v2 intent classifier"
  inference_instance_types = ["ml.m5.large", "ml.c5.xlarge"]
}
