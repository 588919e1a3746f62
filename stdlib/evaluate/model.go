package evaluate

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// manifestFile marks a bundle directory (runtime/README.md).
const manifestFile = "manifest.json"

// Extraction limits: a SageMaker model.tar.gz holds a few bundles of a small
// model, so anything far larger is corrupt or hostile (a decompression bomb).
const (
	maxArchiveBytes = 8 << 30
	maxArchiveFiles = 10000
)

// ResolveBundle finds the bundle directory that --model names: a bundle
// directory itself, a model directory holding bundleName/, or a model.tar.gz
// (SageMaker's training output), which is extracted under scratch. It returns
// the bundle directory.
func ResolveBundle(ctx context.Context, model, bundleName, scratch string) (string, error) {
	info, err := os.Stat(model)
	if err != nil {
		return "", fmt.Errorf("--model: %w", err)
	}
	dir := model
	if !info.IsDir() {
		if !strings.HasSuffix(model, ".tar.gz") && !strings.HasSuffix(model, ".tgz") {
			return "", fmt.Errorf("--model %s is a file but not a .tar.gz; pass a bundle directory, a model directory holding %s/, or model.tar.gz", model, bundleName)
		}
		dir = filepath.Join(scratch, "model")
		if err := ExtractTarGz(ctx, model, dir); err != nil {
			return "", err
		}
	}
	if isFile(filepath.Join(dir, manifestFile)) {
		return dir, nil
	}
	if bundleName == "" || strings.ContainsAny(bundleName, `/\`) || bundleName == "." || bundleName == ".." {
		return "", fmt.Errorf("--bundle-name %q: want a plain directory name such as bundle or bundle-int8", bundleName)
	}
	if b := filepath.Join(dir, bundleName); isFile(filepath.Join(b, manifestFile)) {
		return b, nil
	}
	var found []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && isFile(filepath.Join(dir, e.Name(), manifestFile)) {
			found = append(found, e.Name())
		}
	}
	hint := "it holds no bundle"
	if len(found) > 0 {
		hint = "bundles there: " + strings.Join(found, ", ") + "; choose one with --bundle-name"
	}
	return "", fmt.Errorf("--model %s: no %s at its root and no %s/%s (%s)", model, manifestFile, bundleName, manifestFile, hint)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// ExtractTarGz unpacks a gzip-compressed tar archive into dest, refusing
// anything that could write outside dest: absolute names, ".." components,
// links and device files. Writes go through an os.Root, so even a check
// missed here cannot escape dest. Size and file-count limits stop
// decompression bombs.
func ExtractTarGz(ctx context.Context, archive, dest string) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("opening model archive: %w", err)
	}
	defer func() { _ = f.Close() }()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("model archive %s: not gzip: %w", archive, err)
	}
	defer func() { _ = gz.Close() }()
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return fmt.Errorf("creating extraction directory: %w", err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return fmt.Errorf("opening extraction directory: %w", err)
	}
	defer func() { _ = root.Close() }()
	tr := tar.NewReader(gz)
	var total int64
	for files := 0; ; files++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("model archive %s: %w", archive, err)
		}
		if files >= maxArchiveFiles {
			return fmt.Errorf("model archive %s: more than %d entries", archive, maxArchiveFiles)
		}
		name, err := safeName(h.Name)
		if err != nil {
			return fmt.Errorf("model archive %s: entry %q: %w", archive, h.Name, err)
		}
		if name == "" {
			continue // the archive root itself ("./")
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := mkdirAllIn(root, name); err != nil {
				return fmt.Errorf("model archive %s: %w", archive, err)
			}
		case tar.TypeReg:
			total += h.Size
			if h.Size < 0 || total > maxArchiveBytes {
				return fmt.Errorf("model archive %s: more than %d bytes uncompressed", archive, int64(maxArchiveBytes))
			}
			if err := mkdirAllIn(root, path.Dir(name)); err != nil {
				return fmt.Errorf("model archive %s: %w", archive, err)
			}
			if err := writeEntry(root, name, tr, h.Size); err != nil {
				return fmt.Errorf("model archive %s: %s: %w", archive, name, err)
			}
		case tar.TypeXGlobalHeader:
			// pax metadata, no file
		default:
			return fmt.Errorf("model archive %s: entry %q is a %s; only files and directories are allowed", archive, h.Name, typeName(h.Typeflag))
		}
	}
}

// safeName cleans an archive path and refuses one that leaves the root.
func safeName(name string) (string, error) {
	if strings.Contains(name, `\`) {
		return "", errors.New("backslash in name")
	}
	if path.IsAbs(name) {
		return "", errors.New("absolute path")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", errors.New(`".." in path`)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	if !fs.ValidPath(clean) {
		return "", errors.New("invalid path")
	}
	return clean, nil
}

func mkdirAllIn(root *os.Root, dir string) error {
	if dir == "." || dir == "" {
		return nil
	}
	if err := mkdirAllIn(root, path.Dir(dir)); err != nil {
		return err
	}
	if err := root.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}

func writeEntry(root *os.Root, name string, r io.Reader, size int64) error {
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(r, size))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("truncated: %d of %d bytes", n, size)
	}
	return err
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("tar entry of type %q", t)
}
