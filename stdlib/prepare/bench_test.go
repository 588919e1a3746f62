package prepare

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeSynthetic writes n JSONL rows over 150 labels; every 50th row repeats
// an earlier text so de-duplication has work to do.
func writeSynthetic(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		id := i
		if i%50 == 49 {
			id = i - 25 // a row that is not itself a repeat
		}
		fmt.Fprintf(w, "{\"text\": \"Please  tell me about item %d in the  category %d, thanks\", \"intent\": \"intent_%03d\"}\n", id, id%997, id%150)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkPrepareMillionRows runs both passes over a generated million-row
// file. Memory per op (-benchmem) is dominated by the de-duplication table:
// a fixed 16-byte digest and a small entry per distinct text.
func BenchmarkPrepareMillionRows(b *testing.B) {
	dir := b.TempDir()
	input := filepath.Join(dir, "raw.jsonl")
	writeSynthetic(b, input, 1_000_000)
	cfg := baseConfig()
	cfg.Dataset.Expectations = Expectations{MaxDuplicateRatio: ptr(0.05), TextLength: &LengthSpan{Min: ptr(1), Max: ptr(512)}}
	b.ResetTimer()
	for i := range b.N {
		st, err := Run(context.Background(), cfg, Paths{Input: input, Output: filepath.Join(dir, fmt.Sprint("out", i))})
		if err != nil {
			b.Fatal(err)
		}
		if st.Input.KeptRows != 980_000 {
			b.Fatalf("kept %d rows, want 980000", st.Input.KeptRows)
		}
	}
}
