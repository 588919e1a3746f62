storage "edge" { # ERROR: Duplicate storage block
  bucket = "t-edge2-bucket"
}
