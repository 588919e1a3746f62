// Package infra holds no Go: this test checks the account bootstrap module
// beside it against the AWS provider's real schema, the check the generated
// Terraform gets (tflint and trivy run over both in scripts/infra/check-infra.sh).
package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/terraform/schemacheck"
)

func TestProviderSchema(t *testing.T) {
	s, err := schemacheck.Load("../testdata/terraform/aws-provider-schema.json", "registry.terraform.io/hashicorp/aws")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob("*.tf")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	for _, want := range []string{"github.tf", "outputs.tf", "state.tf", "variables.tf", "versions.tf"} {
		if files[want] == nil {
			t.Errorf("infra/%s is missing", want)
		}
	}
	for _, d := range s.Check(files, "aws") {
		t.Error(d.Error())
	}
	// The trust policies name the repository and the context, never a wildcard subject.
	gh := string(files["github.tf"])
	for _, w := range []string{`"repo:${var.github_repository}:pull_request"`, `"repo:${var.github_repository}:environment:${each.key}"`, `variable = "${local.github_issuer}:aud"`} {
		if !strings.Contains(gh, w) {
			t.Errorf("github.tf lacks %s", w)
		}
	}
	if strings.Contains(gh, "StringLike") || strings.Contains(gh, ":*\"") {
		t.Error("a CI role's trust uses a wildcard subject")
	}
}
