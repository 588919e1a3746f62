storage "x" {
  bucket = "t-x-bucket"
  bukket = "t-y" # ERROR: Unsupported argument
}
