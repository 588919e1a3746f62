# The S3 layout: raw and processed data share a bucket under two prefixes;
# model artifacts and edge deployments have their own.

storage "raw" {
  bucket     = "slm-intents-${var.env}-${var.bucket_suffix}"
  prefix     = "raw/"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "archive-raw" {
    prefix = "raw/"
    transition {
      days          = 90
      storage_class = "STANDARD_IA"
    }
    noncurrent_version_expiration_days = 180
    abort_incomplete_multipart_days    = 7
  }
}

storage "processed" {
  bucket     = "slm-intents-${var.env}-${var.bucket_suffix}"
  prefix     = "processed/"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "expire-processed" {
    prefix                             = "processed/"
    expiration_days                    = 365
    noncurrent_version_expiration_days = 30
    abort_incomplete_multipart_days    = 7
  }
}

storage "artifacts" {
  bucket     = "slm-model-artifacts-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "checkpoints" {
    prefix                          = "checkpoints/"
    expiration_days                 = 30
    abort_incomplete_multipart_days = 7
  }
}

storage "edge" {
  bucket     = "slm-edge-deployments-${var.env}-${var.bucket_suffix}"
  encryption = "sse-kms"
  kms_key    = "create"

  lifecycle_rule "old-versions" {
    noncurrent_version_expiration_days = 90
    abort_incomplete_multipart_days    = 7
  }
}
