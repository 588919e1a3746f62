package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/plan"
)

// PlanFile is the plan's own file in a plan directory.
const PlanFile = "plan.json"

// Saved is a plan directory read back for apply.
type Saved struct {
	Dir        string
	Plan       *plan.Plan
	SHA256     string // of plan.json: what the pipeline is tagged with
	Definition []byte
}

// IsPlanDir says dir holds a saved plan (rather than a configuration).
func IsPlanDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, PlanFile))
	return err == nil
}

// LoadSaved reads a plan directory and refuses one that apply must not
// trust: half-written, edited since the plan (every file is checked against
// the digest plan.json records), of another format, or made by another slm
// version.
func LoadSaved(dir, version string) (*Saved, error) {
	b, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s holds no %s: it is not a plan directory (write one with slm plan --out %s)", dir, PlanFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, outMarker)); err != nil {
		return nil, fmt.Errorf("%s lacks the %s marker slm plan writes last: it is half-written or not slm's; plan again", dir, outMarker)
	}
	var p plan.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s/%s is not a plan: %w", dir, PlanFile, err)
	}
	if major(p.FormatVersion) != major(plan.FormatVersion) {
		return nil, fmt.Errorf("%s/%s has format version %q; this slm reads %q: plan again with this slm", dir, PlanFile, p.FormatVersion, plan.FormatVersion)
	}
	if p.SlmVersion != version {
		return nil, fmt.Errorf("the plan in %s was made by slm %s, this is slm %s: plan again with this slm (the plan names this binary's step code)", dir, p.SlmVersion, version)
	}
	var edited []string
	for _, a := range p.Artifacts {
		c, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.Path)))
		if err != nil {
			edited = append(edited, a.Path+" (missing)")
			continue
		}
		if got := (artifact.File{Content: c}).SHA256(); got != a.SHA256 {
			edited = append(edited, a.Path+" (changed)")
		}
	}
	if len(edited) > 0 {
		return nil, fmt.Errorf("the plan's files were edited since slm plan wrote them: %s; plan again", strings.Join(edited, ", "))
	}
	def, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p.Target.Definition)))
	if err != nil || plan.DigestOf(def) != p.Target.DefinitionSHA256 {
		return nil, fmt.Errorf("the plan's pipeline definition %s is missing or edited; plan again", p.Target.Definition)
	}
	return &Saved{Dir: dir, Plan: &p, SHA256: plan.DigestOf(b), Definition: def}, nil
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

// UploadBytes returns the bytes of an upload: the plan directory's copy, or
// the referenced file (its digest checked).
func (s *Saved) UploadBytes(u plan.Upload, environ []string) ([]byte, error) {
	if u.Path != "" {
		b, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(u.Path)))
		if err != nil {
			return nil, fmt.Errorf("reading %s from the plan: %w", u.Path, err)
		}
		if got := (artifact.File{Content: b}).SHA256(); got != u.SHA256 {
			return nil, fmt.Errorf("%s in the plan has sha256 %s, not %s: the plan was edited; plan again", u.Path, got, u.SHA256)
		}
		return b, nil
	}
	return ReadSource(artifact.Ref(u.Role, u.Name, u.Source, u.SHA256, u.Size), environ)
}
