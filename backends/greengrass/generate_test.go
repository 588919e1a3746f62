package greengrass

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass/ggcheck"
	"github.com/slm-project/slm/backends/terraform/exampleir"
	"github.com/slm-project/slm/compiler/ir"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// inputs stands in for the built runtime binaries and the trained bundle: the backend only hashes and
// places them, so small distinct contents exercise it fully.
func inputs(model string) Inputs {
	rt := func(arch string) RuntimeFiles {
		return RuntimeFiles{
			Edge: artifact.File{Name: "slm-edge", Content: []byte("slm-edge for linux/" + arch)},
			ORT:  artifact.File{Name: "libonnxruntime.so.1", Content: []byte("onnxruntime for linux/" + arch)},
		}
	}
	return Inputs{
		Runtime: map[string]RuntimeFiles{"amd64": rt("amd64"), "aarch64": rt("aarch64")},
		Models:  map[string]artifact.File{"stores": {Name: "bundle.tar.gz", Content: []byte(model)}},
	}
}

func validator(t *testing.T) *ggcheck.Validator {
	t.Helper()
	v, err := ggcheck.New("../../testdata/greengrass/recipe_schema.json", "../../testdata/greengrass/aws-greengrassv2-deployment.json")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestExampleGolden(t *testing.T) {
	v := validator(t)
	for _, env := range exampleir.Environments {
		t.Run(env, func(t *testing.T) {
			p := exampleir.Compile(t, env)
			res, err := Build(p, inputs("bundle v1"))
			if err != nil {
				t.Fatal(err)
			}
			again, err := Build(p, inputs("bundle v1"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(res, again); diff != "" {
				t.Fatalf("two generations differ:\n%s", diff)
			}
			for name, b := range res.Files {
				switch {
				case strings.HasPrefix(name, "recipes/"):
					if err := v.ValidateRecipe(b); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				case strings.HasPrefix(name, "deployments/"):
					if err := v.ValidateDeployment(b); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				default:
					t.Errorf("unexpected file %s", name)
				}
			}
			dir := filepath.Join("..", "..", "testdata", "greengrass", "golden", env)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for name, b := range res.Files {
					path := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			golden := map[string]string{}
			err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				rel, _ := filepath.Rel(dir, path)
				golden[filepath.ToSlash(rel)] = string(b)
				return err
			})
			if err != nil {
				t.Fatalf("reading golden files (run go test ./backends/greengrass -update): %v", err)
			}
			got := map[string]string{}
			for k, b := range res.Files {
				got[k] = string(b)
			}
			if diff := cmp.Diff(golden, got); diff != "" {
				t.Errorf("generated Greengrass files differ from %s (-golden +got); rerun with -update if intended:\n%s", dir, diff)
			}
		})
	}
}

func recipeOf(t *testing.T, res *Result, name string) map[string]any {
	t.Helper()
	for _, c := range res.Components {
		if c.Name == name {
			var r map[string]any
			if err := json.Unmarshal(res.Files[c.Recipe], &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("no component %s", name)
	return nil
}

func TestComponents(t *testing.T) {
	p := exampleir.Compile(t, "prod")
	res, err := Build(p, inputs("bundle v1"))
	if err != nil {
		t.Fatal(err)
	}
	app := p.EdgeTargets[0].ComponentName
	r := recipeOf(t, res, app)
	manifests := r["Manifests"].([]any)
	var archs []string
	for _, m := range manifests {
		archs = append(archs, m.(map[string]any)["Platform"].(map[string]any)["architecture"].(string))
		arts := m.(map[string]any)["Artifacts"].([]any)
		if len(arts) != 2 {
			t.Errorf("manifest has %d artifacts, want slm-edge and the ONNX Runtime library", len(arts))
		}
		for _, a := range arts {
			uri := a.(map[string]any)["URI"].(string)
			if !regexp.MustCompile(`^s3://slm-edge-deployments-prod-acme/artifacts/[0-9a-f]{64}/(slm-edge|libonnxruntime\.so\.1)$`).MatchString(uri) {
				t.Errorf("artifact URI %s is not content-addressed in the edge bucket", uri)
			}
		}
		run := m.(map[string]any)["Lifecycle"].(map[string]any)["run"].(map[string]any)["Script"].(string)
		for _, want := range []string{"--listen {configuration:/listen}", "--bundle {" + app + ".Model:work:path}/bundle", "--ort-lib {artifacts:path}/libonnxruntime.so.1"} {
			if !strings.Contains(run, want) {
				t.Errorf("run script lacks %s: %s", want, run)
			}
		}
	}
	if diff := cmp.Diff([]string{"aarch64", "amd64"}, archs); diff != "" {
		t.Errorf("platforms:\n%s", diff)
	}
	def := r["ComponentConfiguration"].(map[string]any)["DefaultConfiguration"].(map[string]any)
	if def["listen"] != "127.0.0.1:8181" || def["maxWait"] != "5ms" {
		t.Errorf("defaults do not carry the runtime block: %v", def)
	}
	deps := r["ComponentDependencies"].(map[string]any)
	model := recipeOf(t, res, app+".Model")
	if got := deps[app+".Model"].(map[string]any)["VersionRequirement"]; got != "="+model["ComponentVersion"].(string) {
		t.Errorf("dependency on the model component is %v, want =%v", got, model["ComponentVersion"])
	}
	mart := model["Manifests"].([]any)[0].(map[string]any)["Artifacts"].([]any)[0].(map[string]any)
	if mart["Algorithm"] != "SHA-256" || mart["Digest"] == "" || !strings.HasSuffix(mart["URI"].(string), "/bundle.tar.gz") {
		t.Errorf("model artifact: %v", mart)
	}
	if !strings.Contains(model["Manifests"].([]any)[0].(map[string]any)["Lifecycle"].(map[string]any)["install"].(map[string]any)["Script"].(string), "tar -xzf") {
		t.Error("model component does not unpack the bundle")
	}
	if len(res.Uploads) != 5 {
		t.Errorf("want 5 uploads (2 binaries x 2 platforms + bundle), got %d", len(res.Uploads))
	}
	for _, u := range res.Uploads {
		f, ok := res.Artifacts[u.URI]
		if !ok || f.SHA256() != u.SHA256 || !strings.HasSuffix(u.URI, "/"+u.SHA256+"/"+u.Name) || u.Path != "edge-artifacts/"+u.SHA256+"/"+u.Name {
			t.Errorf("upload %+v does not match its file", u)
		}
	}
}

func TestVersionRule(t *testing.T) {
	p := exampleir.Compile(t, "prod")
	a, err := Build(p, inputs("bundle v1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(p, inputs("bundle v2"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Components {
		ca, cb := a.Components[i], b.Components[i]
		if err := ggcheck.CheckComponentVersion(ca.Version); err != nil {
			t.Error(err)
		}
		if !regexp.MustCompile(`^1\.[0-9]{1,5}\.[0-9]{1,5}$`).MatchString(ca.Version) {
			t.Errorf("version %s does not follow MAJOR.A.B", ca.Version)
		}
		// A new model changes the model component and, through its pinned dependency, the inference one.
		if ca.Version == cb.Version {
			t.Errorf("%s keeps version %s for a different model", ca.Name, ca.Version)
		}
	}
}

func TestEnvironmentsDiffer(t *testing.T) {
	deps := map[string]map[string]any{}
	for _, env := range exampleir.Environments {
		res, err := Build(exampleir.Compile(t, env), inputs("bundle v1"))
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(res.Files["deployments/stores.json"], &d); err != nil {
			t.Fatal(err)
		}
		deps[env] = d
	}
	rate := func(env string) any {
		return deps[env]["iotJobConfiguration"].(map[string]any)["jobExecutionsRolloutConfig"].(map[string]any)["exponentialRate"].(map[string]any)["baseRatePerMinute"]
	}
	if rate("dev") == rate("prod") {
		t.Errorf("dev and prod roll out at the same rate %v", rate("dev"))
	}
	for _, env := range exampleir.Environments {
		if arn := deps[env]["targetArn"].(string); !strings.HasSuffix(arn, ":thinggroup/intent-stores-"+env) {
			t.Errorf("%s targets %s", env, arn)
		}
		if deps[env]["deploymentPolicies"].(map[string]any)["failureHandlingPolicy"] != "ROLLBACK" {
			t.Errorf("%s: failure handling is not ROLLBACK", env)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	base := func() *ir.Pipeline { return exampleir.Compile(t, "dev") }
	noArm := inputs("bundle")
	delete(noArm.Runtime, "aarch64")
	tests := []struct {
		name string
		p    func() *ir.Pipeline
		in   Inputs
		want string
	}{
		{"nil pipeline", func() *ir.Pipeline { return nil }, inputs("b"), "no pipeline"},
		{"no model", base, Inputs{Runtime: inputs("b").Runtime}, "no model bundle archive"},
		{"no runtime for a platform", base, noArm, "no slm-edge binary"},
		{"no account", func() *ir.Pipeline { p := base(); p.Project.Account = ""; return p }, inputs("b"), "needs the AWS account"},
		{"unknown storage", func() *ir.Pipeline { p := base(); p.EdgeTargets[0].Storage = "nowhere"; return p }, inputs("b"), "not a storage block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.p(), tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	p := exampleir.Compile(b, "prod")
	in := inputs("bundle v1")
	for b.Loop() {
		if _, err := Build(p, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStagedRollout: a target with a canary block gets two deployments, the
// canary group first with its own IoT job configuration (attributes it does
// not set are the target's), then the fleet; both requests are valid.
func TestStagedRollout(t *testing.T) {
	p := exampleir.Compile(t, "prod")
	canaryRollout := p.EdgeTargets[0].Rollout
	canaryRollout.AbortFailurePercent = 1
	canaryRollout.MaxPerMinute = 5
	canaryRollout.BaseRatePerMinute = 1
	canaryRollout.AbortOn = []string{"FAILED", "TIMED_OUT"}
	p.EdgeTargets[0].Canary = &ir.Canary{ThingGroup: "intent-stores-canary", Rollout: canaryRollout}
	res, err := Build(p, inputs("bundle v1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deployments) != 2 || res.Deployments[0].Stage != "canary" || res.Deployments[1].Stage != "fleet" {
		t.Fatalf("deployments %+v, want the canary stage then the fleet", res.Deployments)
	}
	v := validator(t)
	for i, group := range []string{"intent-stores-canary", p.EdgeTargets[0].ThingGroup} {
		d := res.Deployments[i]
		if !strings.HasSuffix(d.TargetARN, ":thinggroup/"+group) {
			t.Errorf("stage %s targets %s, want thing group %s", d.Stage, d.TargetARN, group)
		}
		body := res.Files[d.Request]
		if err := v.ValidateDeployment(body); err != nil {
			t.Errorf("%s: %v", d.Request, err)
		}
		var req createDeployment
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		abort := req.IotJobConfiguration.AbortConfig.CriteriaList[0].ThresholdPercentage
		if want := map[string]float64{"canary": 1, "fleet": p.EdgeTargets[0].Rollout.AbortFailurePercent}[d.Stage]; abort != want {
			t.Errorf("stage %s aborts at %g%%, want %g%%", d.Stage, abort, want)
		}
		var kinds []string
		for _, c := range req.IotJobConfiguration.AbortConfig.CriteriaList {
			kinds = append(kinds, c.FailureType)
		}
		if want := map[string]string{"canary": "FAILED,TIMED_OUT", "fleet": "FAILED"}[d.Stage]; strings.Join(kinds, ",") != want {
			t.Errorf("stage %s aborts on %v, want %s", d.Stage, kinds, want)
		}
	}
	if res.Deployments[0].Request == res.Deployments[1].Request {
		t.Error("both stages write the same request file")
	}
}
