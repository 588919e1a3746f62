package terraform

import "github.com/hashicorp/hcl/v2/hclwrite"

// Provider pins. The AWS provider version is the one whose schema the tests check against
// (testdata/terraform/aws-provider-schema.json).
const (
	terraformVersion   = ">= 1.10.0"
	awsProviderSource  = "hashicorp/aws"
	awsProviderVersion = "~> 6.52"
)

// Tag keys every resource carries (through the provider's default_tags).
const (
	tagProject     = "project"
	tagEnvironment = "environment"
	tagManagedBy   = "managed-by"
	tagDigest      = "slm-source-digest"
)

// settings writes versions.tf (Terraform and provider pins, the partial S3 backend), providers.tf,
// variables.tf and locals.tf.
func (g *gen) settings() {
	pr := g.p.Project
	tf := block{g.file("versions.tf").AppendNewBlock("terraform", nil).Body()}
	tf.set("required_version", terraformVersion)
	rp := tf.child("required_providers")
	rp.b.SetAttributeRaw("aws", tokens(map[string]any{"source": awsProviderSource, "version": awsProviderVersion}))
	// The state backend is the user's: `terraform init -backend-config=backend.hcl` fills it in.
	tf.child("backend", "s3")

	prov := block{g.file("providers.tf").AppendNewBlock("provider", []string{"aws"}).Body()}
	prov.set("region", ref("var", "region"))
	if pr.Account != "" {
		prov.set("allowed_account_ids", []string{pr.Account})
	}
	prov.child("default_tags").set("tags", ref("local", "tags"))

	vars := g.file("variables.tf")
	variable(vars, "region", "string", pr.Region, "AWS region of the estate.")
	variable(vars, "ci_principal_arns", "list(string)", nil,
		"IAM principals allowed to assume the CI role; empty means the account's own principals with IAM permission to do so.")

	tags := map[string]any{}
	for k, v := range pr.Tags {
		tags[k] = v
	}
	tags[tagProject] = pr.Name
	tags[tagEnvironment] = pr.Environment
	tags[tagManagedBy] = "slm"
	tags[tagDigest] = g.p.SourceDigest
	loc := block{g.file("locals.tf").AppendNewBlock("locals", nil).Body()}
	loc.set("name", pr.PipelineName)
	loc.set("tags", tags)
	loc.set("account_id", ref("data", "aws_caller_identity", "current", "account_id"))
	loc.set("partition", ref("data", "aws_partition", "current", "partition"))
	loc.set("region", ref("data", "aws_region", "current", "region"))

	g.data("data.tf", "aws_caller_identity", "current")
	g.data("data.tf", "aws_partition", "current")
	g.data("data.tf", "aws_region", "current")
}

// variable appends a variable block; def nil means required for strings and an empty list for lists.
func variable(body *hclwrite.Body, name, typ string, def any, description string) {
	if len(body.Blocks()) > 0 {
		body.AppendNewline()
	}
	v := block{body.AppendNewBlock("variable", []string{name}).Body()}
	v.set("description", description)
	v.set("type", expr(typ))
	switch {
	case def != nil && def != "":
		v.set("default", def)
	case typ == "list(string)":
		v.b.SetAttributeRaw("default", tokens([]any{}))
	}
}
