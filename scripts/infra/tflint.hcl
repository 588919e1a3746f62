# tflint configuration for the generated Terraform (make check-infra). The AWS ruleset is found offline
# in TFLINT_PLUGIN_DIR (~/.cache/slm/tools/plugins), built from the Go module proxy by build-tools.sh.
config {
  call_module_type = "none"
  force            = false
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

plugin "aws" {
  enabled = true
}
