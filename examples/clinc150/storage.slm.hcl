storage "data" {
  bucket     = "slm-${var.dataset_name}-${var.env}-${var.bucket_suffix}"
  prefix     = "data/"
  encryption = "sse-kms"
  kms_key    = "create"
}

storage "artifacts" {
  bucket     = "slm-${var.dataset_name}-artifacts-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "checkpoints" {
    prefix                          = "checkpoints/"
    expiration_days                 = 30
    abort_incomplete_multipart_days = 7
  }
}
