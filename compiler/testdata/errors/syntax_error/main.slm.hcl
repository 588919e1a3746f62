# NOBASE
project "t" {
  region = "eu-west-1" + # ERROR: Invalid expression
}
