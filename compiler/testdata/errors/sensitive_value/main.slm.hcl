variable "group" {
  type      = string
  default   = "s3cr3t_T0KEN"
  sensitive = true
}

storage "x" {
  bucket = var.group # ERROR: Sensitive value in a generated file
}
