package main

import (
	"path/filepath"
	"testing"
)

// BenchmarkPlanCommand is `slm plan --offline` of the example in-process,
// from the files to the plan directory and the text plan (the test binary
// stands in for the runner and is hashed each time, as slm hashes itself).
func BenchmarkPlanCommand(b *testing.B) {
	out := filepath.Join(b.TempDir(), "out")
	args := []string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--out", out, "--offline"}
	b.ReportAllocs()
	for b.Loop() {
		if code, _, stderr := runCLIb(args...); code != 0 {
			b.Fatal(stderr)
		}
	}
}
