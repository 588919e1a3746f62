
storage "inner" { # ERROR: Storage locations overlap
  bucket = "t-data-bucket"
  prefix = "raw/inner/"
}

storage "other" { # ERROR: Conflicting bucket settings
  bucket     = "t-data-bucket"
  prefix     = "other/"
  versioning = false
}
