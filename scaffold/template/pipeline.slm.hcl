# [[.Name]]: fine-tune a small language model for text classification, gate it on
# quality, register it, and ship it to edge devices.
#
# One configuration for every environment: envs/<env>.slmvars.hcl set what
# differs. Try it:
#
#   slm validate .
#   slm plan . --var-file envs/dev.slmvars.hcl --offline
#
# The language is described in SPEC.md of slm (https://github.com/slm-project/slm).

project "[[.Name]]" {
  environment      = var.env
  region           = var.region
  account          = var.account_id
  description      = "[[.Name]]: text classifier for edge devices"
  artifact_storage = storage.artifacts
  tags = {
    project = "[[.Name]]"
  }
}

# Values SageMaker resolves when the pipeline runs: a run can point at new
# data, or tighten a threshold, without a new plan.
parameter "input_data_uri" {
  type        = string
  default     = "${storage.data.uri}raw/"
  description = "Where the raw labelled examples are (JSON lines: text, label)"
}

parameter "min_accuracy" {
  type    = float
  default = var.min_accuracy
}

# Where data and models live. Buckets are encrypted with a key the Terraform
# creates, versioned, TLS-only and never public.
storage "data" {
  bucket     = "[[.Name]]-data-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"
}

storage "artifacts" {
  bucket     = "[[.Name]]-models-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "checkpoints" {
    prefix          = "checkpoints/"
    expiration_days = 30
  }
}

storage "edge" {
  bucket     = "[[.Name]]-edge-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"
}

dataset "examples" {
  source      = param.input_data_uri
  format      = "jsonl"
  text_field  = "text"
  label_field = "label"

  # The run stops before training when the data breaks these.
  expect {
    min_rows               = 1000
    not_null               = ["text", "label"]
    text_max_length        = 512
    min_examples_per_label = 20
  }
}

prepare "examples" {
  dataset = dataset.examples
  output  = storage.data

  split {
    train      = 0.8
    validation = 0.1
    test       = 0.1
    stratify   = true
    seed       = 42
  }
}

finetune "classifier" {
  data        = prepare.examples
  output      = storage.artifacts
  method      = "lora"
  checkpoints = "${storage.artifacts.uri}checkpoints/classifier/"

  # A pinned revision: the same configuration trains the same model.
  base_model {
    hub_id   = "sentence-transformers/all-MiniLM-L6-v2"
    revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
    pooling  = "mean"
  }

  # Low-rank adapters on the attention and feed-forward layers: a few MB to
  # train instead of the whole model.
  lora {
    r              = 16
    alpha          = 32
    dropout        = 0.1
    target_modules = ["query", "key", "value", "dense"]
  }

  hyperparameters {
    epochs        = var.epochs
    learning_rate = 2e-3
    batch_size    = 32
  }

  export {
    quantize_int8 = true
  }

  # Spot saves up to 90% but may wait for capacity: max_wait bounds that.
  compute {
    instance_type = var.train_instance_type
    max_runtime   = "2h"
    spot          = var.use_spot
    max_wait      = var.use_spot ? "4h" : null
  }
}

evaluate "classifier" {
  model   = finetune.classifier
  data    = prepare.examples
  variant = "int8"
}

# Nothing is registered, and nothing ships, unless the gates pass.
gate "quality" {
  evaluation = evaluate.classifier
  message    = "The classifier is below the quality bar; it was not registered."

  threshold "accuracy" {
    min = param.min_accuracy
  }
}

gate "latency" {
  evaluation = evaluate.classifier

  threshold "latency_p95_ms" {
    max = 50
  }
}

# Registered models wait for a person's approval (slm approve) outside dev.
register "classifier" {
  model               = finetune.classifier
  evaluation          = evaluate.classifier
  gates               = [gate.quality, gate.latency]
  model_package_group = "[[.Name]]-${var.env}"
  approval            = var.env == "dev" ? "Approved" : "PendingManualApproval"
}

# The devices: a Greengrass thing group per environment.
edge_target "devices" {
  model          = register.classifier
  thing_group    = "[[.Name]]-${var.env}"
  platforms      = ["linux/amd64", "linux/arm64"]
  component_name = "[[.ComponentPrefix]].Classifier"
  variant        = "int8"
  storage        = storage.edge
}

monitoring {
  notify_emails = var.alert_emails

  alarm "pipeline-failed" {
    metric    = "pipeline_execution_failed"
    threshold = 1
  }

  alarm "edge-errors" {
    metric      = "edge_error_rate"
    threshold   = 5
    period      = "5m"
    edge_target = edge_target.devices
  }
}
