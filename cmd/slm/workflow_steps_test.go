package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.yaml.in/yaml/v3"

	"github.com/slm-project/slm/internal/awstest"
)

// workflow is the part of a GitHub Actions workflow the step runner reads.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Name string `yaml:"name"`
			Uses string `yaml:"uses"`
			Run  string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// stepRunner runs a workflow job's shell steps in order, as a GitHub runner
// does (bash -eo pipefail, GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY).
// What GitHub itself provides is stubbed, and only that: the expressions a
// job's env reads from the event and the matrix, the files behind
// GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STEP_SUMMARY, and the AWS credentials
// aws-actions/configure-aws-credentials would export (here moto's, through
// awstest's environment). Steps that use actions (checkout, setup-go,
// upload-artifact, github-script) are not run; the test checks what they
// consume. The "Install slm" step is replaced by the slm built from this
// checkout, which is on PATH: the module is not published where go install
// could fetch it.
type stepRunner struct {
	t       *testing.T
	dir     string
	env     []string
	exprs   map[string]string
	outputs string
	summary string
	envFile string
}

var exprPattern = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

func (r *stepRunner) expand(s string) string {
	return exprPattern.ReplaceAllStringFunc(s, func(m string) string {
		k := exprPattern.FindStringSubmatch(m)[1]
		v, ok := r.exprs[k]
		if !ok {
			r.t.Fatalf("the step runner has no value for ${{ %s }}", k)
		}
		return v
	})
}

// run runs the named job's shell steps; skip names steps not to run.
// It returns the exit code of the step named stopAt (running it last), or
// of the last step.
func (r *stepRunner) run(wf workflow, job string, steps []string) map[string]int {
	r.t.Helper()
	j, ok := wf.Jobs[job]
	if !ok {
		r.t.Fatalf("no job %s", job)
	}
	env := append([]string(nil), r.env...)
	for k, v := range wf.Env {
		env = append(env, k+"="+r.expand(v))
	}
	for k, v := range j.Env {
		env = append(env, k+"="+r.expand(v))
	}
	codes := map[string]int{}
	want := map[string]bool{}
	for _, s := range steps {
		want[s] = true
	}
	for _, st := range j.Steps {
		if st.Run == "" || !want[st.Name] {
			continue
		}
		// GITHUB_ENV lines from earlier steps.
		if b, err := os.ReadFile(r.envFile); err == nil {
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if l != "" {
					env = append(env, l)
				}
			}
		}
		cmd := exec.CommandContext(context.Background(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", r.expand(st.Run))
		cmd.Dir, cmd.Env = r.dir, env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			r.t.Fatal(err)
		}
		codes[st.Name] = code
		r.t.Logf("%s / %s: exit %d\n%s", job, st.Name, code, out)
	}
	for _, s := range steps {
		if _, ran := codes[s]; !ran {
			r.t.Fatalf("job %s has no shell step %q", job, s)
		}
	}
	return codes
}

// TestWorkflowSteps runs the shell steps of the workflows slm init writes,
// in order, against moto: the pull-request checks and the dev plan (changes,
// a Markdown comment under the limit), then the deploy job for dev (estate
// generated offline, the plan against what is deployed, slm apply), then
// the pull-request plan again, which now finds nothing to change.
// terraform apply is not run (its provider comes from the Terraform
// registry, which this machine cannot reach): the test creates the buckets
// the estate would, as the apply tests do. The project is in us-east-1, so the
// plan prices it with the built-in table, and a changed instance type shows
// as a cost change from what is deployed.
func TestWorkflowSteps(t *testing.T) {
	ctx := context.Background()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "slm"), "./cmd/slm")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building slm: %v\n%s", err, out)
	}
	ort := filepath.Join(root, "build", "ort", "linux-amd64", "libonnxruntime.so.1")
	if _, err := os.Stat(ort); err != nil {
		t.Fatalf("no ONNX Runtime (%v): run make setup-ort", err)
	}

	proj := filepath.Join(t.TempDir(), "demo")
	if code, _, stderr := runCLI(t, "init", proj, "--bucket-suffix", "wf", "--region", "us-east-1"); code != 0 {
		t.Fatal(stderr)
	}
	// The team sets its account ids; here, moto's.
	vars := filepath.Join(proj, "envs", "dev.slmvars.hcl")
	b, err := os.ReadFile(vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vars, []byte(strings.Replace(string(b), "111111111111", awstest.AccountID, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func(name string) workflow {
		var wf workflow
		b, err := os.ReadFile(filepath.Join(proj, ".github", "workflows", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatal(err)
		}
		return wf
	}
	pr, deploy := load("slm-plan.yml"), load("slm-deploy.yml")

	awstest.SetEnv(t)
	cfg := awstest.Config(t)
	gh := t.TempDir()
	r := &stepRunner{t: t, dir: proj, outputs: filepath.Join(gh, "output"), summary: filepath.Join(gh, "summary"), envFile: filepath.Join(gh, "env"),
		exprs: map[string]string{
			"matrix.env": "dev", "github.server_url": "https://github.com", "github.repository": "acme/demo", "github.run_id": "42",
			"github.event.pull_request.number": "7", "vars.SLM_STATE_BUCKET": "acme-slm-state",
		}}
	r.env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GITHUB_OUTPUT="+r.outputs, "GITHUB_STEP_SUMMARY="+r.summary, "GITHUB_ENV="+r.envFile, "GITHUB_WORKSPACE="+proj, "CI=true",
		"SLM_ORT_LIB="+ort)

	codes := r.run(pr, "check", []string{"Check formatting", "Validate"})
	if codes["Check formatting"] != 0 || codes["Validate"] != 0 {
		t.Fatalf("the check job failed: %v", codes)
	}
	codes = r.run(pr, "plan", []string{"Plan", "Render the plan for review"})
	if codes["Plan"] != 0 || codes["Render the plan for review"] != 0 {
		t.Fatalf("the plan job failed: %v", codes)
	}
	if out, _ := os.ReadFile(r.outputs); !strings.Contains(string(out), "changes=true") {
		t.Errorf("GITHUB_OUTPUT after the first plan: %q, want changes=true", out)
	}
	md, err := os.ReadFile(filepath.Join(proj, "plan-dev.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(md), "<!-- slm-plan:dev -->\n### slm plan: `demo-dev`") || len(md) > 65536 ||
		!strings.Contains(string(md), "Compared with what is deployed in account `"+awstest.AccountID+"`") {
		t.Errorf("the comment the github-script step posts:\n%.600s", md)
	}
	if _, err := os.Stat(filepath.Join(proj, "plan-dev", "plan.json")); err != nil {
		t.Errorf("the artifact upload-artifact keeps: %v", err)
	}
	if s, _ := os.ReadFile(r.summary); !strings.Contains(string(s), "### slm plan") {
		t.Error("the job summary has no plan")
	}

	// The estate terraform apply would create.
	motoBuckets(t, cfg, "demo-data-dev-wf", "demo-models-dev-wf", "demo-edge-dev-wf")
	codes = r.run(deploy, "dev", []string{"Generate the estate", "Plan against what is deployed", "Fetch ONNX Runtime (slm apply uploads it for the evaluate step)", "Apply the plan"})
	for step, code := range codes {
		if code != 0 {
			t.Errorf("deploy dev / %s: exit %d", step, code)
		}
	}
	if _, err := os.Stat(filepath.Join(proj, "estate-dev", "terraform", "versions.tf")); err != nil {
		t.Errorf("the estate terraform applies: %v", err)
	}

	if err := os.WriteFile(r.outputs, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	codes = r.run(pr, "plan", []string{"Plan"})
	if out, _ := os.ReadFile(r.outputs); codes["Plan"] != 0 || !strings.Contains(string(out), "changes=false") {
		t.Errorf("the plan after the deploy: exit %d, GITHUB_OUTPUT %q; want changes=false", codes["Plan"], out)
	}

	// A bigger training instance: the plan says what a run costs now.
	b, err = os.ReadFile(vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vars, append(b, []byte("train_instance_type = \"ml.g5.2xlarge\"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	r.run(pr, "plan", []string{"Plan", "Render the plan for review"})
	md, err = os.ReadFile(filepath.Join(proj, "plan-dev.md"))
	if err != nil {
		t.Fatal(err)
	}
	// $1.408 -> $1.515 an hour for 2 h, spot saving 0-90%, plus 30 GB at $0.14/GB-month for 2 h.
	for _, w := range []string{"Changes from what is deployed:", "finetune.classifier: $0.29 to $2.83 -> $0.31 to $3.04 per run (upper bound)", "**Cost:** $"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("the plan comment after the change lacks %q:\n%s", w, md)
		}
	}
}

// motoBuckets creates buckets in us-east-1 (which takes no location
// constraint).
func motoBuckets(t *testing.T, cfg aws.Config, names ...string) {
	t.Helper()
	cfg = cfg.Copy()
	cfg.Region = "us-east-1"
	c := s3.NewFromConfig(cfg)
	for _, b := range names {
		if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
}
