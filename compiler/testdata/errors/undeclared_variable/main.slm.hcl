variable "region_name" {
  type    = string
  default = "eu-west-1"
}

locals {
  r = var.regoin_name # ERROR: Reference to undeclared input variable
}
