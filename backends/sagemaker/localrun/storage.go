package localrun

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Storage maps S3 to a directory: s3://BUCKET/KEY is ROOT/BUCKET/KEY, so a
// step reads and writes exactly where its S3 paths say. A prefix is a
// directory: an S3Prefix input of s3://b/p downloads every object under
// s3://b/p/ (or the one object s3://b/p when it is a file).
type Storage struct {
	Root string
}

// Path returns the local path of an S3 URI, refusing URIs that would
// leave the root.
func (s Storage) Path(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", fmt.Errorf("%q is not an s3:// URI", uri)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return "", fmt.Errorf("%q has no bucket", uri)
	}
	for _, part := range strings.Split(key, "/") {
		if part == ".." || part == "." {
			return "", fmt.Errorf("%q: %q in an S3 key cannot be mapped to a directory", uri, part)
		}
	}
	return filepath.Join(s.Root, bucket, filepath.FromSlash(key)), nil
}

// download copies what an S3Prefix input names into dir.
func (s Storage) download(uri, dir string) error {
	src, err := s.Path(uri)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no object under %s (local storage %s)", uri, src)
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if !st.IsDir() {
		return linkOrCopy(src, filepath.Join(dir, filepath.Base(src)))
	}
	return copyTree(src, dir)
}

// upload moves a job's output directory to an S3 prefix, replacing what
// the prefix held (an output location belongs to one job).
func (s Storage) upload(dir, uri string) error {
	dst, err := s.Path(uri)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dst, 0o755)
	}
	return os.Rename(dir, dst)
}

// exists reports whether anything is stored under uri.
func (s Storage) exists(uri string) bool {
	p, err := s.Path(uri)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// digest is the SHA-256 over the relative names and contents of every file
// under uri: the content a step reads, for its cache key.
func (s Storage) digest(uri string) (string, error) {
	p, err := s.Path(uri)
	if err != nil {
		return "", err
	}
	return treeDigest(p)
}

func treeDigest(p string) (string, error) {
	h := sha256.New()
	var files []string
	err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(p, f)
		fh, err := fileDigest(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\n", filepath.ToSlash(rel), fh)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// copyTree copies the files under src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return linkOrCopy(path, target)
		}
		return nil
	})
}

// linkOrCopy hard-links a stored object into a job's directory (objects
// are never modified in place: outputs replace them whole), falling back
// to a copy across file systems.
func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_ = os.Remove(dst)
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst, 0o644)
}

// copyFile copies a file through a temporary name, so dst is whole or
// absent.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// writeFileAtomic writes b to path through a temporary file.
func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// seed copies local files to an S3 location (a file to the location's
// name when the URI names a file, else under the prefix), replacing what
// was there. The source is only read.
func (s Storage) seed(src, uri string) error {
	dst, err := s.Path(uri)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	tmp := dst + ".seeding"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if st.IsDir() {
		err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			switch {
			case d.IsDir():
				return os.MkdirAll(filepath.Join(tmp, rel), 0o755)
			case d.Type().IsRegular():
				return copyFile(path, filepath.Join(tmp, rel), 0o644)
			}
			return nil
		})
	} else {
		target := filepath.Join(tmp, filepath.Base(src))
		if !strings.HasSuffix(uri, "/") {
			// s3://b/raw/data.jsonl names the object itself.
			target = tmp
		}
		err = copyFile(src, target, 0o644)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
