# NOBASE: the project's tags carry a sensitive value, which would land in
# clear in the Terraform's default_tags.
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.artifacts
  tags = { # ERROR: Sensitive value in a generated file
    owner = var.owner_token
  }
}

variable "owner_token" {
  type      = string
  default   = "s3cr3t_T0KEN"
  sensitive = true
}

storage "artifacts" {
  bucket = "t-artifacts-bucket"
}
