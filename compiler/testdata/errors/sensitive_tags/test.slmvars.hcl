# no values: plan mode, where the Terraform would be written
