parameter "bucket" {
  type = string
}

storage "x" {
  bucket = param.bucket # ERROR: Run-time parameter used where a compile-time value is needed
}
