
parameter "min_acc" { # ERROR: Parameter names collide
  type = float
}

parameter "min-acc" {
  type = float
}
