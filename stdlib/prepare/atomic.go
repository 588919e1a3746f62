package prepare

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// atomicFile is written under a temporary name beside its final path and
// renamed into place on commit, so a reader (or a re-run after a crash) never
// sees a half-written output.
type atomicFile struct {
	f     *os.File
	w     *bufio.Writer
	final string
}

func createAtomic(path string) (*atomicFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating output file: %w", err)
	}
	return &atomicFile{f: f, w: bufio.NewWriterSize(f, 1<<20), final: path}, nil
}

func (a *atomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// commit flushes, syncs and renames the file into place.
func (a *atomicFile) commit() error {
	err := a.w.Flush()
	if err == nil {
		err = a.f.Chmod(0o644)
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.final)
	}
	if err != nil {
		_ = os.Remove(a.f.Name())
		return fmt.Errorf("writing %s: %w", a.final, err)
	}
	return nil
}

// abort discards the temporary file. It is safe after commit.
func (a *atomicFile) abort() {
	_ = a.f.Close()
	_ = os.Remove(a.f.Name())
}

// writeFileAtomic writes data to path through a temporary file.
func writeFileAtomic(path string, data []byte) error {
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.abort()
		return errors.Join(fmt.Errorf("writing %s", path), err)
	}
	return a.commit()
}
