package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// The step runner (this slm binary, ~50 MB) and the edge runtime files are
// named by digest in every plan. Hashing them is most of what a plan costs,
// yet they rarely change between plans, so their digests are remembered in a
// small cache keyed by what identifies a file's content on this machine:
// path, device, inode, size and modification time. A stale entry cannot
// ship wrong bytes: apply reads the file again and refuses it unless its
// digest is the one the plan names (ReadSource).

// digestCacheDir is where the digests are kept, or "" for no cache.
func digestCacheDir() string {
	if d := os.Getenv("SLM_DIGEST_CACHE"); d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "slm", "digests")
}

// digestFile returns the hex SHA-256 and size of the open file f at path,
// from the cache when the file is unchanged since it was hashed.
func digestFile(f *os.File, path string) (string, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", path, err)
	}
	key := digestCacheKey(st, path)
	if key != "" {
		if b, err := os.ReadFile(key); err == nil {
			if d := strings.TrimSpace(string(b)); len(d) == 64 {
				return d, st.Size(), nil
			}
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", path, err)
	}
	d := hex.EncodeToString(h.Sum(nil))
	if key != "" {
		// Best effort: a cache that cannot be written only costs the
		// next plan a hash.
		if err := os.MkdirAll(filepath.Dir(key), 0o700); err == nil {
			tmp := fmt.Sprintf("%s.%d.tmp", key, os.Getpid())
			if os.WriteFile(tmp, []byte(d+"\n"), 0o600) == nil && os.Rename(tmp, key) != nil {
				os.Remove(tmp)
			}
		}
	}
	return d, n, nil
}

// digestCacheKey is the cache file for a file's digest, or "" for no cache.
func digestCacheKey(st os.FileInfo, path string) string {
	dir := digestCacheDir()
	sys, ok := st.Sys().(*syscall.Stat_t)
	if dir == "" || !ok {
		return ""
	}
	id := fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%d", path, sys.Dev, sys.Ino, st.Size(), st.ModTime().UnixNano())
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(dir, hex.EncodeToString(sum[:16]))
}

// forgetDigest drops the cached digest of path: its bytes were found not to
// match it (a file rewritten in place with its old size and time).
func forgetDigest(path string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	if st, err := os.Stat(abs); err == nil {
		if key := digestCacheKey(st, abs); key != "" {
			os.Remove(key)
		}
	}
}
