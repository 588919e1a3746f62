storage "x" {
  bucket = "My_Bucket" # ERROR: Invalid S3 bucket name
}
