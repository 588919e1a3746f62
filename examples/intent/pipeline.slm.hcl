# Intent classification: fine-tune all-MiniLM-L6-v2 with LoRA on the
# CLINC150 intents, gate it on quality, register it and ship it to the
# store devices. One configuration; envs/*.slmvars.hcl set what differs.

project "intent" {
  environment        = var.env
  region             = var.region
  account            = var.account_id
  description        = "Intent classifier for in-store assistants"
  artifact_storage   = storage.artifacts
  max_parallel_steps = 4
  tags = merge(local.common_tags, {
    cost-center = var.cost_center
  })
}

locals {
  name_prefix = "slm-${var.env}"
  common_tags = {
    team    = "ml-platform"
    product = "store-assistant"
  }
}

# Values SageMaker resolves when the pipeline runs: a run can point at new
# data, or tighten a threshold, without a new plan.
parameter "input_data_uri" {
  type        = string
  default     = "${storage.raw.uri}clinc150/"
  description = "Where the raw intent examples are"
}

parameter "min_accuracy" {
  type    = float
  default = var.min_accuracy
}

parameter "approval_status" {
  type    = string
  default = var.approval_status
  enum    = ["Approved", "PendingManualApproval"]
}
