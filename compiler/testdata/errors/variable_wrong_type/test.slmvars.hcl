epochs = "three" # ERROR: Invalid value for variable
