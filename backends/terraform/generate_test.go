package terraform

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/terraform/exampleir"
	"github.com/slm-project/slm/backends/terraform/schemacheck"
	"github.com/slm-project/slm/compiler/ir"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadSchema(t *testing.T) *schemacheck.Schema {
	t.Helper()
	s, err := schemacheck.Load("../../testdata/terraform/aws-provider-schema.json", "registry.terraform.io/hashicorp/aws")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func generate(t *testing.T, p *ir.Pipeline, in Inputs) map[string][]byte {
	t.Helper()
	files, err := Generate(p, in)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestExampleGolden generates the example's Terraform for each environment, checks it against the AWS
// provider's real schema, and compares it with the golden files.
func TestExampleGolden(t *testing.T) {
	schema := loadSchema(t)
	for _, env := range exampleir.Environments {
		t.Run(env, func(t *testing.T) {
			p := exampleir.Compile(t, env)
			files := generate(t, p, Inputs{})
			again := generate(t, p, Inputs{})
			if diff := cmp.Diff(files, again); diff != "" {
				t.Fatalf("two generations differ:\n%s", diff)
			}
			for _, d := range schema.Check(files, "aws") {
				t.Errorf("%s", d.Error())
			}
			dir := filepath.Join("..", "..", "testdata", "terraform", "golden", env)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, b := range files {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("reading golden files (run go test ./backends/terraform -update): %v", err)
			}
			golden := map[string][]byte{}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				golden[e.Name()] = b
			}
			if diff := cmp.Diff(stringsOf(golden), stringsOf(files)); diff != "" {
				t.Errorf("generated Terraform differs from %s (-golden +got); rerun with -update if intended:\n%s", dir, diff)
			}
		})
	}
}

func stringsOf(m map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// parsed is the generated module, parsed, with blocks indexed by address.
type parsed struct {
	blocks map[string]*hclsyntax.Block // "aws_s3_bucket.edge", "data.aws_iam_policy_document.x", "provider.aws"
	all    []*hclsyntax.Block
}

func parse(t *testing.T, files map[string][]byte) parsed {
	t.Helper()
	p := parsed{blocks: map[string]*hclsyntax.Block{}}
	for name, src := range files {
		if !strings.HasSuffix(name, ".tf") {
			continue
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			p.all = append(p.all, b)
			switch b.Type {
			case "resource":
				p.blocks[b.Labels[0]+"."+b.Labels[1]] = b
			case "data":
				p.blocks["data."+b.Labels[0]+"."+b.Labels[1]] = b
			default:
				p.blocks[b.Type+"."+strings.Join(b.Labels, ".")] = b
			}
		}
	}
	return p
}

func (p parsed) ofType(typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range p.all {
		if b.Type == "resource" && b.Labels[0] == typ {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Labels[1] < out[j].Labels[1] })
	return out
}

// literal evaluates an attribute that holds no references; ok is false when absent or not a literal.
func literal(b *hclsyntax.Body, name string) (string, bool) {
	a, ok := b.Attributes[name]
	if !ok {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() {
		return "", false
	}
	switch {
	case v.Type().FriendlyName() == "string":
		return v.AsString(), true
	case v.Type().FriendlyName() == "bool":
		if v.True() {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func sub(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// TestSecurityProperties asserts the security requirements on the generated Terraform directly.
func TestSecurityProperties(t *testing.T) {
	for _, env := range exampleir.Environments {
		t.Run(env, func(t *testing.T) {
			files := generate(t, exampleir.Compile(t, env), Inputs{})
			all := bytes.Join(func() [][]byte {
				var out [][]byte
				for _, n := range sortedKeys(files) {
					out = append(out, files[n])
				}
				return out
			}(), nil)
			p := parse(t, files)
			buckets := p.ofType("aws_s3_bucket")
			if len(buckets) == 0 {
				t.Fatal("no buckets")
			}
			for _, b := range buckets {
				n := b.Labels[1]
				v := p.blocks["aws_s3_bucket_versioning."+n]
				if v == nil || len(sub(v, "versioning_configuration")) != 1 {
					t.Errorf("bucket %s: no versioning", n)
				} else if s, _ := literal(sub(v, "versioning_configuration")[0].Body, "status"); s != "Enabled" {
					t.Errorf("bucket %s: versioning %q", n, s)
				}
				e := p.blocks["aws_s3_bucket_server_side_encryption_configuration."+n]
				if e == nil {
					t.Errorf("bucket %s: no default encryption", n)
				} else {
					def := sub(sub(e, "rule")[0], "apply_server_side_encryption_by_default")[0]
					if alg, _ := literal(def.Body, "sse_algorithm"); alg != "aws:kms" && alg != "AES256" {
						t.Errorf("bucket %s: sse_algorithm %q", n, alg)
					}
				}
				pab := p.blocks["aws_s3_bucket_public_access_block."+n]
				for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
					if pab == nil {
						t.Errorf("bucket %s: no public access block", n)
						break
					}
					if v, _ := literal(pab.Body, a); v != "true" {
						t.Errorf("bucket %s: %s = %q", n, a, v)
					}
				}
				own := p.blocks["aws_s3_bucket_ownership_controls."+n]
				if own == nil {
					t.Errorf("bucket %s: no ownership controls", n)
				} else if v, _ := literal(sub(own, "rule")[0].Body, "object_ownership"); v != "BucketOwnerEnforced" {
					t.Errorf("bucket %s: object ownership %q", n, v)
				}
				pol := p.blocks["data.aws_iam_policy_document.bucket_"+n]
				if pol == nil || !denies(pol, "aws:SecureTransport", "false") {
					t.Errorf("bucket %s: no statement denying requests without TLS", n)
				}
				if p.blocks["aws_s3_bucket_policy."+n] == nil {
					t.Errorf("bucket %s: policy not attached", n)
				}
			}
			// No statement allows a wildcard action on a wildcard resource.
			for _, b := range p.all {
				if b.Type != "data" || b.Labels[0] != "aws_iam_policy_document" {
					continue
				}
				for _, st := range sub(b, "statement") {
					if eff, _ := literal(st.Body, "effect"); eff == "Deny" {
						continue
					}
					acts := strs(st.Body, "actions")
					res := strs(st.Body, "resources")
					for _, a := range acts {
						if (a == "*" || strings.HasSuffix(a, ":*")) && contains(res, "*") {
							t.Errorf("%s: statement allows %s on *", b.Labels[1], a)
						}
					}
				}
			}
			// Everything tagged through default_tags.
			prov := p.blocks["provider.aws"]
			if prov == nil || len(sub(prov, "default_tags")) != 1 {
				t.Fatal("provider aws has no default_tags")
			}
			for _, k := range []string{tagProject, tagEnvironment, tagManagedBy, tagDigest} {
				if !bytes.Contains(files["locals.tf"], []byte(k)) {
					t.Errorf("tag %s missing from locals.tf", k)
				}
			}
			for _, want := range []string{`identifiers = ["sagemaker.amazonaws.com"]`, `identifiers = ["credentials.iot.amazonaws.com"]`,
				`resource "aws_iot_role_alias"`, `resource "aws_sagemaker_model_package_group"`,
				`resource "aws_cloudwatch_event_rule" "model_approved"`, `resource "aws_cloudwatch_dashboard"`, `extended_statistic = "p95"`,
				`metric_name         = "ExecutionFailed"`, `kms_master_key_id = aws_kms_key.this.arn`} {
				if !bytes.Contains(all, []byte(want)) {
					t.Errorf("generated Terraform lacks %s", want)
				}
			}
			// The Greengrass role reads only the edge bucket's artifacts.
			tes := p.blocks["data.aws_iam_policy_document.greengrass_tes"]
			for _, st := range sub(tes, "statement") {
				for _, a := range strs(st.Body, "actions") {
					if strings.HasPrefix(a, "s3:") && a != "s3:GetObject" && a != "s3:GetBucketLocation" {
						t.Errorf("token exchange role may %s", a)
					}
				}
			}
			if !bytes.Contains(files["edge.tf"], []byte(`:s3:::slm-edge-deployments-`+env+`-acme/artifacts/*"]`)) {
				t.Errorf("token exchange role does not read exactly the edge bucket's artifacts:\n%s", files["edge.tf"])
			}
		})
	}
}

func denies(pol *hclsyntax.Block, variable, value string) bool {
	for _, st := range sub(pol, "statement") {
		if eff, _ := literal(st.Body, "effect"); eff != "Deny" {
			continue
		}
		for _, c := range sub(st, "condition") {
			if v, _ := literal(c.Body, "variable"); v == variable && contains(strs(c.Body, "values"), value) {
				return true
			}
		}
	}
	return false
}

// strs returns the literal strings of a list attribute (references are skipped).
func strs(b *hclsyntax.Body, name string) []string {
	a, ok := b.Attributes[name]
	if !ok {
		return nil
	}
	tup, ok := a.Expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range tup.Exprs {
		v, diags := e.Value(nil)
		if !diags.HasErrors() && v.IsKnown() && v.Type().FriendlyName() == "string" {
			out = append(out, v.AsString())
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestEnvironmentsDiffer checks the environments differ where the configuration says they should.
func TestEnvironmentsDiffer(t *testing.T) {
	gen := map[string]map[string][]byte{}
	for _, env := range exampleir.Environments {
		gen[env] = generate(t, exampleir.Compile(t, env), Inputs{})
	}
	tests := []struct {
		file, env, want string
	}{
		{"locals.tf", "dev", `name = "intent-dev"`},
		{"locals.tf", "prod", `name = "intent-prod"`},
		{"storage.tf", "staging", `bucket = "slm-intents-staging-acme"`},
		{"providers.tf", "prod", `allowed_account_ids = ["333333333333"]`},
		{"monitoring.tf", "prod", `"oncall@example.com"`},
		{"edge.tf", "prod", `name = "intent-stores-prod"`},
	}
	for _, tt := range tests {
		if !bytes.Contains(gen[tt.env][tt.file], []byte(tt.want)) {
			t.Errorf("%s %s lacks %s", tt.env, tt.file, tt.want)
		}
		for _, other := range exampleir.Environments {
			if other != tt.env && bytes.Contains(gen[other][tt.file], []byte(tt.want)) {
				t.Errorf("%s %s also has %s", other, tt.file, tt.want)
			}
		}
	}
	// The resource blocks are the same in every environment, so the generated files compare line by line
	// (the plan lists instances: a for_each over no address shows none).
	addrs := func(env string) []string {
		var out []string
		for a := range parse(t, generate(t, exampleir.Compile(t, env), Inputs{})).blocks {
			out = append(out, a)
		}
		sort.Strings(out)
		return out
	}
	if diff := cmp.Diff(addrs("dev"), addrs("prod")); diff != "" {
		t.Errorf("dev and prod declare different resources:\n%s", diff)
	}
}

func TestGenerateErrors(t *testing.T) {
	base := func() *ir.Pipeline { return exampleir.Compile(t, "dev") }
	tests := []struct {
		name string
		p    func() *ir.Pipeline
		in   Inputs
		want string
	}{
		{"nil pipeline", func() *ir.Pipeline { return nil }, Inputs{}, "no pipeline"},
		{"shared bucket disagrees", func() *ir.Pipeline {
			p := base()
			for i := range p.Storage {
				if p.Storage[i].Name == "raw" {
					p.Storage[i].Versioning = false
				}
			}
			return p
		}, Inputs{}, "disagree on versioning"},
		{"unknown alarm target", func() *ir.Pipeline {
			p := base()
			for i := range p.Monitoring.Alarms {
				if p.Monitoring.Alarms[i].EdgeTarget != "" {
					p.Monitoring.Alarms[i].EdgeTarget = "warehouses"
				}
			}
			return p
		}, Inputs{}, `edge target "warehouses"`},
		{"upload outside storage", base, Inputs{Uploads: []artifact.Upload{{Role: "step runner", URI: "s3://elsewhere/code/x"}}}, "outside every storage location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.p(), tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	p := exampleir.Compile(b, "prod")
	for b.Loop() {
		if _, err := Generate(p, Inputs{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCarriesSageMakerBackendOutput feeds the SageMaker backend's real output through: its uploads lie
// where the execution role may read, and the pipeline itself is left to slm apply.
func TestCarriesSageMakerBackendOutput(t *testing.T) {
	p := exampleir.Compile(t, "prod")
	sm, err := sagemaker.Generate(p, sagemaker.Code{Runner: []byte("runner"), ORTLibrary: []byte("ort"), TrainingSource: []byte("src")})
	if err != nil {
		t.Fatal(err)
	}
	files := generate(t, p, Inputs{Uploads: sm.Uploads})
	// The pipeline is slm apply's, not Terraform's: the Terraform keeps its role and outputs the ARN.
	for name, b := range files {
		if strings.Contains(string(b), "aws_sagemaker_pipeline") {
			t.Errorf("%s declares the SageMaker pipeline, which slm apply owns", name)
		}
	}
	if !strings.Contains(string(files["outputs.tf"]), `output "sagemaker_execution_role_arn"`) {
		t.Errorf("outputs.tf lacks the role ARN apply uses:\n%s", files["outputs.tf"])
	}
	if !strings.Contains(string(files["iam.tf"]), `role/`+p.Project.ExecutionRoleName+`"`) {
		t.Errorf("the execution role is not the one the definition names (%s)", p.Project.ExecutionRoleARN)
	}
	for _, d := range loadSchema(t).Check(files, "aws") {
		t.Error(d.Error())
	}
}

// TestReadAccessGrants: project read_access becomes read-only statements on
// exactly the granted prefixes; without grants the role reads only storage.
func TestReadAccessGrants(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	if got := string(generate(t, p, Inputs{})["iam.tf"]); strings.Contains(got, "ReadGrantedLocations") {
		t.Fatal("a grant appears without read_access")
	}
	p.Project.ReadAccess = []ir.S3Location{{Bucket: "shared-datasets", Prefix: "intents/", URI: "s3://shared-datasets/intents/"}}
	iam := string(generate(t, p, Inputs{})["iam.tf"])
	i := strings.Index(iam, `"ReadGrantedLocations"`)
	if i < 0 {
		t.Fatalf("no ReadGrantedLocations statement in iam.tf:\n%s", iam)
	}
	stmt := iam[i : i+strings.Index(iam[i:], "statement {")]
	if !strings.Contains(stmt, `"s3:GetObject"`) || strings.Contains(stmt, "PutObject") || !strings.Contains(stmt, `:::shared-datasets/intents/*"`) {
		t.Errorf("grant statement is not read-only on the prefix:\n%s", stmt)
	}
	if !strings.Contains(iam, `"intents/*"`) {
		t.Errorf("ListBucket is not limited to the granted prefix:\n%s", iam)
	}
}

// TestPlanDetailsSayWhatIsMeant: the plan view never shows an empty value
// (no emails: no empty endpoints) or a "<region>" placeholder when the region
// is known (each was printed before). The pipeline's parallelism is slm
// apply's now (compiler/plan shows it).
func TestPlanDetailsSayWhatIsMeant(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	p.Project.MaxParallelSteps = 0
	p.Monitoring.NotifyEmails = nil
	rs, err := Plan(p, Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rs {
		for _, a := range r.Attributes {
			if a.Value == "" || strings.Contains(a.Value, "<region>") {
				t.Errorf("%s: %s = %q", r.Address(), a.Name, a.Value)
			}
			switch {
			case r.Type == "aws_cloudwatch_log_group" && a.Name == "name":
				seen++
				if !strings.Contains(a.Value, "/"+p.Project.Region+"/") {
					t.Errorf("log group %q does not name the region %s", a.Value, p.Project.Region)
				}
			}
		}
		// The plan lists instances: no address, no subscription.
		if r.Type == "aws_sns_topic_subscription" {
			t.Errorf("%s is listed with no e-mail address to subscribe", r.Address())
		}
	}
	if seen < 1 {
		t.Errorf("checked %d attributes; want at least the log group", seen)
	}
}

// TestBaselineIAM: a champion/challenger gate's baseline step may list the
// registry's packages; without one the role cannot.
func TestBaselineIAM(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	if strings.Contains(string(generate(t, p, Inputs{})["iam.tf"]), "ListApprovedModels") {
		t.Fatal("ListModelPackages granted without a baseline step")
	}
	p.Gates[0].Baseline = &ir.Baseline{StepName: "Baseline-quality", PropertyFile: "Baseline-quality", ModelPackageGroup: p.Registers[0].ModelPackageGroup}
	iam := string(generate(t, p, Inputs{})["iam.tf"])
	if !strings.Contains(iam, `"ListApprovedModels"`) || !strings.Contains(iam, `"sagemaker:ListModelPackages"`) {
		t.Errorf("no ListApprovedModels statement:\n%s", iam)
	}
}
