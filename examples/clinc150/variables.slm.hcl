variable "env" {
  type    = string
  default = "dev"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "account_id" {
  type    = string
  default = "111111111111"
}

variable "bucket_suffix" {
  type    = string
  default = "local"
}

# Names the raw data location, the checkpoints and the model package group:
# a new dataset gets its own.
variable "dataset_name" {
  type    = string
  default = "clinc150"
}

variable "min_rows" {
  type    = number
  default = 1000
}

variable "epochs" {
  type    = number
  default = 5
}

variable "learning_rate" {
  type    = number
  default = 2e-3
}

variable "max_seq_length" {
  type    = number
  default = 40
}

# Which bundle the gates measure: "int8" ships to the devices; the smoke
# measures "fp32" to compare the runtime's logits with PyTorch's.
variable "evaluate_variant" {
  type    = string
  default = "int8"
}

variable "min_accuracy" {
  type    = number
  default = 0.9
}

variable "min_out_of_scope_recall" {
  type    = number
  default = 0.5
}
