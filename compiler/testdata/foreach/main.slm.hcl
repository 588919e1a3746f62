# A pipeline per language and a release per fleet, without copy-paste:
# for_each on the repeated blocks, a dynamic block for the thresholds.
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.artifacts
}

storage "data" {
  bucket = "t-data-bucket"
  prefix = "raw/"
}

storage "artifacts" {
  bucket = "t-artifacts-bucket"
}

storage "edge" {
  bucket = "t-edge-bucket"
}

locals {
  languages = {
    en = { min_accuracy = 0.9, epochs = 3 }
    de = { min_accuracy = 0.85, epochs = 5 }
  }
  fleets = toset(["kiosks", "stores"])
}

dataset "intents" {
  for_each = local.languages
  source   = "${storage.data.uri}${each.key}/"
  format   = "jsonl"
}

prepare "intents" {
  for_each = local.languages
  dataset  = dataset.intents[each.key]
  output   = storage.data
}

finetune "intent" {
  for_each = local.languages
  data     = prepare.intents[each.key]
  output   = storage.artifacts
  method   = "lora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/minilm/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query", "value"]
  }
  hyperparameters {
    epochs = each.value.epochs
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}

evaluate "intent" {
  for_each = local.languages
  model    = finetune.intent[each.key]
  data     = prepare.intents[each.key]
}

gate "quality" {
  for_each   = local.languages
  evaluation = evaluate.intent[each.key]

  dynamic "threshold" {
    for_each = { accuracy = each.value.min_accuracy, macro_f1 = each.value.min_accuracy - 0.05 }
    labels   = [threshold.key]
    content {
      min = threshold.value
    }
  }
}

register "intent" {
  for_each            = local.languages
  model               = finetune.intent[each.key]
  evaluation          = evaluate.intent[each.key]
  gates               = [gate.quality[each.key]]
  model_package_group = "t-intent-${each.key}"
  approval            = "PendingManualApproval"
}

edge_target "fleet" {
  for_each       = local.fleets
  model          = register.intent["en"]
  thing_group    = "t-${each.key}"
  platforms      = ["linux/amd64"]
  component_name = "com.example.intent.${each.key}"
  storage        = storage.edge
}

monitoring {
  notify_emails = ["ml@example.com"]
  alarm "kiosk-latency" {
    metric      = "edge_latency_p95_ms"
    threshold   = 50
    edge_target = edge_target.fleet["kiosks"]
  }

  dynamic "alarm" {
    for_each = local.fleets
    labels   = ["errors-${alarm.key}"]
    content {
      metric      = "edge_error_rate"
      threshold   = 5
      edge_target = edge_target.fleet[alarm.key]
    }
  }
}
