package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is the plan's file name in a plan directory.
const File = "plan.json"

// Load reads the plan saved in dir by `slm plan --out dir`. A path that is
// not a directory, a directory without plan.json, a plan.json that is not a
// plan and one of an unknown major format version are refused with what to
// do instead.
func Load(dir string) (*Plan, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist; make a plan directory with slm plan DIR --out %s", dir, dir)
	case err != nil:
		return nil, fmt.Errorf("reading the plan directory: %w", err)
	case !st.IsDir():
		return nil, fmt.Errorf("%s is a file, not a plan directory; give the directory slm plan --out wrote", dir)
	}
	path := filepath.Join(dir, File)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a plan directory: it has no %s; make one with slm plan DIR --out %s", dir, File, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s is not a valid plan (%w); it may be truncated or edited: make it again with slm plan", path, err)
	}
	major, _, _ := strings.Cut(p.FormatVersion, ".")
	if want, _, _ := strings.Cut(FormatVersion, "."); major != want {
		return nil, fmt.Errorf("%s has plan format version %q; this slm reads %s.x: use the slm version that made it, or make the plan again", path, p.FormatVersion, want)
	}
	return &p, nil
}
