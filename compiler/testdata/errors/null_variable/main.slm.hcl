
variable "epochs" {
  type    = number
  default = 3
}
