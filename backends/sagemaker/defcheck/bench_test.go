package defcheck

import (
	"os"
	"testing"
)

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckIntentPipeline(b *testing.B) {
	raw, err := os.ReadFile(intentPipeline)
	if err != nil {
		b.Fatal(err)
	}
	c := newChecker(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if p := c.Check(raw); p != nil {
			b.Fatal(p)
		}
	}
}
