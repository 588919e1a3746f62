storage "x" { # ERROR: Missing required argument
  prefix = "raw/"
}

dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}

prepare "p" { # ERROR: Missing required argument
  dataset = dataset.d
}
