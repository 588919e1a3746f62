# no values
