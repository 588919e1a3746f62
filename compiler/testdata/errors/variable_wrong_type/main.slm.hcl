variable "epochs" {
  type = number
}
