package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slm-project/slm/backends/artifact"
)

// TestDigestCache: a file's digest is remembered while the file is
// unchanged, recomputed when it changes, and forgotten when its bytes are
// found not to match (ReadSource).
func TestDigestCache(t *testing.T) {
	t.Setenv("SLM_DIGEST_CACHE", t.TempDir())
	path := filepath.Join(t.TempDir(), "runner")
	write := func(content string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	digest := func() string {
		t.Helper()
		f, err := hashFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return f.Digest
	}
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	t0 := time.Unix(1_700_000_000, 0)
	write("version one", t0)
	if got := digest(); got != sum("version one") {
		t.Fatalf("first digest %s, want %s", got, sum("version one"))
	}
	// Rewritten in place with the same size and time: the cache answers
	// (what it trades for speed) ...
	write("version two", t0)
	stale := digest()
	if stale != sum("version one") {
		t.Fatalf("cached digest %s, want the remembered %s", stale, sum("version one"))
	}
	// ... until the bytes are read for upload and do not match: then the
	// upload is refused and the entry forgotten.
	if _, err := ReadSource(mustRef(t, path, stale), nil); err == nil {
		t.Fatal("ReadSource accepted bytes that do not match the digest")
	}
	if got := digest(); got != sum("version two") {
		t.Fatalf("after a mismatch, digest %s, want %s", got, sum("version two"))
	}
	// A new modification time is a new file.
	write("version 3!!", t0.Add(time.Second))
	if got := digest(); got != sum("version 3!!") {
		t.Fatalf("after a change, digest %s, want %s", got, sum("version 3!!"))
	}
}

func mustRef(t *testing.T, path, digest string) (f artifact.File) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Name, f.Source, f.Digest, f.Length = filepath.Base(path), path, digest, int(st.Size())
	return f
}
