locals {
  a = "${local.b}-x" # ERROR: Cycle in named values
  b = "${local.a}-y"
}
