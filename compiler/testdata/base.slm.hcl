# Shared by the error fixtures: a minimal valid project they add blocks to.
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
