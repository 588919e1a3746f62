variable "bucket_suffix" { # ERROR: No value for required variable
  type = string
}
