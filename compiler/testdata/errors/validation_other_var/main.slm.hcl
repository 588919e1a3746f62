variable "a" {
  type    = number
  default = 1
}

variable "b" {
  type    = number
  default = 2
  validation {
    condition     = var.b > var.a # ERROR: Invalid reference in validation
    error_message = "b must exceed a."
  }
}
