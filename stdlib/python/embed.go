// Package python carries the training step's Python source inside the slm
// binary, so `slm plan` can package it as the content-addressed
// sourcedir.tar.gz that the SageMaker training job runs, with no checkout
// of this repository at hand.
package python

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/slm-project/slm/backends/artifact"
)

//go:embed train.py requirements.txt slm_train/*.py
var source embed.FS

// SourceDir returns the training code as a deterministic sourcedir.tar.gz:
// train.py and requirements.txt at the root (the layout the Hugging Face
// training container expects) and the slm_train package.
func SourceDir() ([]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(source, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := source.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading embedded %s: %w", path, err)
		}
		files[path] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return artifact.TarGz(files)
}
