package defcheck

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheck feeds arbitrary bytes to Check: it must never panic, and a definition it accepts must
// be accepted again (no state leaks between calls). Seeds are the SDK fixtures and the intent
// pipeline; `go test -fuzz FuzzCheck ./backends/sagemaker/defcheck` explores from there.
func FuzzCheck(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(sdkDir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, intentPipeline)
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"Steps": [{"Name": "A", "Type": "Condition", "Arguments": {"IfSteps": [{"Name": "A"}], "ElseSteps": "x"}}]}`))
	f.Add([]byte(`{"Steps": [{"Name": "A", "Type": "Training", "DependsOn": ["A", 3, null], "RetryPolicies": [{"MaxAttempts": 1e400}]}]}`))
	c := newChecker(f)
	f.Fuzz(func(t *testing.T, def []byte) {
		first := c.Check(def)
		if first == nil && c.Check(def) != nil {
			t.Fatal("accepted once, rejected the second time")
		}
	})
}
