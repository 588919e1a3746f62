package schemacheck

import (
	"strings"
	"testing"
)

const schemaPath = "../../../testdata/terraform/aws-provider-schema.json"

func load(t *testing.T) *Schema {
	t.Helper()
	s, err := Load(schemaPath, "registry.terraform.io/hashicorp/aws")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheck(t *testing.T) {
	s := load(t)
	const base = `variable "name" {
  type = string
}

resource "aws_s3_bucket" "b" {
  bucket = var.name
}

`
	tests := []struct {
		name string
		src  string
		want string // substring of the first diagnostic summary; empty for none
	}{
		{"valid", base + `resource "aws_s3_bucket_versioning" "b" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = "Enabled"
  }
}
`, ""},
		{"unsupported argument", base + `resource "aws_s3_bucket_versioning" "b" {
  bucket  = aws_s3_bucket.b.id
  enabled = true
  versioning_configuration {
    status = "Enabled"
  }
}
`, "Unsupported argument"},
		{"missing required argument", base + `resource "aws_s3_bucket_public_access_block" "b" {
  block_public_acls = true
}
`, "Missing required argument"},
		{"missing required block", base + `resource "aws_s3_bucket_versioning" "b" {
  bucket = aws_s3_bucket.b.id
}
`, "Insufficient versioning_configuration blocks"},
		{"wrong type", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket            = aws_s3_bucket.b.id
  block_public_acls = [1]
}
`, "Incorrect attribute value type"},
		{"unknown type", base + `resource "aws_s3_bukket" "c" {
}
`, "Unknown resource type"},
		{"other provider", base + `resource "awscc_greengrassv2_deployment" "d" {
}
`, "Unchecked provider"},
		{"read-only attribute", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.b.id
}

resource "aws_sns_topic" "t" {
  arn = "x"
}
`, "Unsupported argument"},
		{"undeclared resource", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.c.id
}
`, "Reference to undeclared resource"},
		{"unknown attribute in reference", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.b.idd
}
`, "Unsupported attribute"},
		{"undeclared variable", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket = var.other
}
`, "Reference to undeclared input variable"},
		{"unknown function", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket = base64gzip("x")
}
`, "Call to unknown function"},
		{"not formatted", base + `resource "aws_s3_bucket_public_access_block" "b" {
  bucket= aws_s3_bucket.b.id
}
`, "File not formatted"},
		{"syntax error", base + `resource "aws_s3_bucket_public_access_block" "b" {
`, "Unclosed configuration block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := s.Check(map[string][]byte{"main.tf": []byte(tt.src)}, "aws")
			if tt.want == "" {
				if len(diags) > 0 {
					t.Fatalf("want no diagnostics, got %v", diags)
				}
				return
			}
			for _, d := range diags {
				if strings.Contains(d.Summary, tt.want) {
					return
				}
			}
			t.Fatalf("want a diagnostic %q, got %v", tt.want, diags)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("does-not-exist.json", "registry.terraform.io/hashicorp/aws"); err == nil {
		t.Fatal("want an error for a missing file")
	}
	if _, err := Load(schemaPath, "registry.terraform.io/hashicorp/awscc"); err == nil || !strings.Contains(err.Error(), "has no provider") {
		t.Fatalf("want a missing-provider error, got %v", err)
	}
}
