package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Bundle is a loaded, verified model bundle.
type Bundle struct {
	// Dir is the bundle directory as given to Load.
	Dir      string
	Manifest Manifest
	// Labels are the class names; the index is the class id of the model's logits.
	Labels []string
}

// Path returns the path of a file of the bundle.
func (b *Bundle) Path(name string) string { return filepath.Join(b.Dir, name) }

// ModelPath is the path of model.onnx.
func (b *Bundle) ModelPath() string { return b.Path(ModelFile) }

// TokenizerPath is the path of tokenizer.json.
func (b *Bundle) TokenizerPath() string { return b.Path(TokenizerFile) }

// Load reads dir/manifest.json, validates it, verifies the SHA-256 of every
// listed file, refuses files that are present but not listed, and reads the
// labels. The error names the bundle, the file and what to do.
func Load(ctx context.Context, dir string) (*Bundle, error) {
	fail := func(err error) (*Bundle, error) {
		return nil, fmt.Errorf("model bundle %s: %w", dir, err)
	}
	m, err := readManifest(filepath.Join(dir, ManifestFile))
	if err != nil {
		return fail(err)
	}
	if err := m.Validate(); err != nil {
		return fail(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fail(fmt.Errorf("list files: %w", err))
	}
	for _, e := range entries {
		if e.Name() == ManifestFile {
			continue
		}
		if _, listed := m.Files[e.Name()]; !listed {
			return fail(fmt.Errorf("%s is present but not listed in manifest.json files; remove it or list it with its digest", e.Name()))
		}
	}
	for _, name := range sortedKeys(m.Files) {
		path := filepath.Join(dir, name)
		st, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return fail(fmt.Errorf("%s is listed in manifest.json but missing", name))
		}
		if err != nil {
			return fail(fmt.Errorf("stat %s: %w", name, err))
		}
		if !st.Mode().IsRegular() {
			return fail(fmt.Errorf("%s is not a regular file", name))
		}
		got, err := FileDigest(ctx, path)
		if err != nil {
			return fail(err)
		}
		if got != m.Files[name] {
			return fail(fmt.Errorf("digest mismatch for %s: manifest says %s, file has %s; the bundle is corrupt or was changed after training, fetch it again", name, m.Files[name], got))
		}
	}
	labels, err := readLabels(filepath.Join(dir, LabelsFile))
	if err != nil {
		return fail(err)
	}
	return &Bundle{Dir: dir, Manifest: *m, Labels: labels}, nil
}

func readManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	// Unknown fields are refused: a misspelt key would otherwise fall back to
	// its zero value silently (a threshold of 0 disables out-of-scope).
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", ManifestFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse %s: trailing data after the JSON object", ManifestFile)
	}
	return &m, nil
}

func readLabels(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	var labels []string
	if err := json.Unmarshal(data, &labels); err != nil {
		return nil, fmt.Errorf("parse %s: want a JSON array of label names: %w", LabelsFile, err)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%s is empty; want at least one label", LabelsFile)
	}
	seen := make(map[string]int, len(labels))
	for i, l := range labels {
		if strings.TrimSpace(l) == "" {
			return nil, fmt.Errorf("%s: label %d is empty", LabelsFile, i)
		}
		if j, dup := seen[l]; dup {
			return nil, fmt.Errorf("%s: label %q appears at %d and %d", LabelsFile, l, j, i)
		}
		seen[l] = i
	}
	return labels, nil
}
