finetune "intent" {
  data        = prepare.intents
  output      = storage.artifacts
  method      = "lora"
  checkpoints = "${storage.artifacts.uri}checkpoints/${var.dataset_name}/"

  base_model {
    hub_id   = "sentence-transformers/all-MiniLM-L6-v2"
    revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
    pooling  = "mean"
  }

  tokenizer {
    max_seq_length = var.max_seq_length
  }

  lora {
    r              = 16
    alpha          = 32
    dropout        = 0.1
    target_modules = ["query", "key", "value", "dense"]
  }

  hyperparameters {
    epochs          = var.epochs
    learning_rate   = var.learning_rate
    batch_size      = 32
    eval_batch_size = 128
    warmup_ratio    = 0.06
    weight_decay    = 0.01
    seed            = 42
  }

  export {
    quantize_int8      = true
    out_of_scope_label = "oos"
    # The out-of-scope threshold may cost at most half a point of in-scope
    # accuracy on validation.
    max_in_scope_drop = 0.005
  }

  compute {
    instance_type = "ml.g5.xlarge"
    max_runtime   = "4h"
  }

  cache {
    expire_after = "P30D"
  }
}

evaluate "intent" {
  model   = finetune.intent
  data    = prepare.intents
  variant = var.evaluate_variant

  compute {
    instance_type = "ml.m5.large"
    max_runtime   = "1h"
  }

  cache {
    expire_after = "P30D"
  }
}

gate "quality" {
  evaluation = evaluate.intent
  message    = "The intent model is below the quality bar; it was not registered."

  threshold "accuracy" {
    min = param.min_accuracy
  }
  threshold "out_of_scope_recall" {
    min = var.min_out_of_scope_recall
  }
}

register "intent" {
  model               = finetune.intent
  evaluation          = evaluate.intent
  gates               = [gate.quality]
  model_package_group = "${var.dataset_name}-intent-classifier"
  approval            = param.approval_status
  description         = "LoRA fine-tuned all-MiniLM-L6-v2 intent classifier"
}
