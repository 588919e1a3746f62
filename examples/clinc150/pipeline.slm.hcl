# The CLINC150 intent recipe: prepare the raw examples, fine-tune
# all-MiniLM-L6-v2 with LoRA, evaluate the int8 bundle on the test split,
# gate it and register it. `slm run` executes this pipeline on one machine
# (make train-clinc150, and make train-smoke with envs/smoke.slmvars.hcl);
# `slm plan` compiles the same file for SageMaker. A new dataset is a new
# dataset block source and var file (README.md, "A new dataset").

project "clinc150" {
  environment      = var.env
  region           = var.region
  account          = var.account_id
  description      = "CLINC150 intent classifier, the recipe make train-clinc150 runs"
  artifact_storage = storage.artifacts
  tags = {
    team = "ml-platform"
  }
}

# Run-time values: `slm run --param MinAccuracy=0.99` or a SageMaker
# execution may override them without a new plan.
parameter "input_data_uri" {
  type        = string
  default     = "${storage.data.uri}raw/${var.dataset_name}/"
  description = "Where the raw examples are (slm run --data intents=PATH puts them there)"
}

parameter "min_accuracy" {
  type    = float
  default = var.min_accuracy
}

parameter "approval_status" {
  type    = string
  default = "Approved"
  enum    = ["Approved", "PendingManualApproval"]
}
