# NOBASE
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.artifacts
  read_access      = ["s3://shared-datasets/intents/", "s3://whole-bucket-grant"] # WARNING: Read access to a whole bucket
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
