package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// outMarker marks a directory slm wrote, so a plan replaces only its own
// output and never a directory the user pointed --out at by mistake.
const outMarker = ".slm-out"

// WriteDir writes files (relative path -> bytes) as the new content of
// dir, all or nothing: they go to a sibling temporary directory first, which
// then replaces dir. A failure leaves the previous output untouched.
func WriteDir(dir string, files map[string][]byte) error {
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating a temporary output directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range append(names, outMarker) {
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
		}
		content := files[n]
		if n == outMarker {
			content = []byte("written by slm plan; replaced whole on every plan\n")
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("moving the previous output aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("putting the new output in place: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("removing the previous output: %w", err)
		}
	}
	return nil
}

func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading output directory %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, outMarker)); err != nil {
		return fmt.Errorf("refusing to replace %s: it holds files slm did not write (no %s marker); choose another --out directory", dir, outMarker)
	}
	return nil
}
