env = "qa" # ERROR: Invalid value for variable
unknown_thing = 1 # WARNING: Value for undeclared variable
