epochs = null # ERROR: Null value for variable
