package planner_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/deploy"
	"github.com/slm-project/slm/deploy/planner"
	"github.com/slm-project/slm/lang"
)

type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

const example = "../../examples/intent"

func load(t testing.TB) compiler.Result {
	t.Helper()
	res := compiler.Load(context.Background(), compiler.Request{FS: osFS{}, Dir: example, Vars: lang.VarInputs{
		VarFiles: []string{example + "/envs/dev.slmvars.hcl"}}})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	return res
}

// TestPlanWritesNoBinaries: the runner and ONNX Runtime are named by
// digest, not copied: the plan directory holds kilobytes, and the pinned
// ONNX Runtime is planned with no file on disk at all.
func TestPlanWritesNoBinaries(t *testing.T) {
	runner, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	pd, err := deploy.Plan(context.Background(), deploy.PlanRequest{
		Pipeline: load(t).Pipeline, Offline: true, Version: "test",
		// No SLM_ORT_LIB and no library beside the test binary.
		Code: planner.CodeOptions{Runner: runner, Environ: []string{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for name, b := range pd.Files {
		total += len(b)
		if len(b) > 256<<10 {
			t.Errorf("%s is %d bytes: a plan writes no binaries", name, len(b))
		}
	}
	if total > 1<<20 {
		t.Errorf("the plan writes %d bytes", total)
	}
	var ort, run bool
	for _, u := range pd.Plan.Uploads {
		switch u.Name {
		case "libonnxruntime.so.1":
			ort = u.SHA256 == planner.ORTAMD64SHA256 && u.Size == planner.ORTAMD64Size && u.Path == ""
		case "slm":
			abs, _ := filepath.Abs(runner)
			run = u.Source == abs && u.Path == ""
		}
	}
	if !ort || !run {
		t.Errorf("uploads by reference: ONNX Runtime pinned %t, runner by path %t: %+v", ort, run, pd.Plan.Uploads)
	}
}

// BenchmarkPlanOffline is `slm plan --offline` of the example after loading:
// every backend, the checks, the Terraform, plan.json (this binary, about
// the size of slm, stands in as the runner and is hashed each time).
func BenchmarkPlanOffline(b *testing.B) {
	p := load(b).Pipeline
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		pd, err := deploy.Plan(context.Background(), deploy.PlanRequest{Pipeline: p, Offline: true, Version: "bench", Code: planner.CodeOptions{Runner: exe}})
		if err != nil {
			b.Fatal(err)
		}
		if err := planner.WriteDir(filepath.Join(dir, "out"), pd.Files); err != nil {
			b.Fatal(err)
		}
	}
}
