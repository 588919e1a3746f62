# NOBASE # ERROR: Missing project block
storage "x" {
  bucket = "t-x-bucket"
}
