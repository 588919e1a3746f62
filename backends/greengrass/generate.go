// Package greengrass generates, from a pipeline's IR, the Greengrass v2 component recipes (the inference
// component running slm-edge with ONNX Runtime, one manifest per platform, and the model component
// carrying the model bundle) and one CreateDeployment request per edge target. It is a pure function
// of the IR and the files it is given; it never reads HCL.
package greengrass

import (
	"fmt"
	"sort"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// Inputs are the files the components carry. Each becomes a content-addressed artifact in the edge
// target's bucket: s3://<bucket>/<prefix>artifacts/<sha256>/<name>.
type Inputs struct {
	// Runtime holds, per Greengrass architecture ("amd64", "aarch64"), the slm-edge binary and the ONNX
	// Runtime shared library built for it.
	Runtime map[string]RuntimeFiles
	// Models holds, per edge target name, the model bundle archive of the target's variant
	// (bundle.tar.gz, SPEC section 3).
	Models map[string]artifact.File
}

// RuntimeFiles are the inference component's files for one architecture.
type RuntimeFiles struct {
	Edge artifact.File // slm-edge
	ORT  artifact.File // libonnxruntime.so.1
}

// Result is what the backend produces.
type Result struct {
	// Files are the recipes and deployment requests, keyed by path relative to <out>/greengrass/.
	Files map[string][]byte
	// Uploads are the artifacts to put in the edge buckets before the components are created; Path is
	// where under the output directory a plan writes the bytes (edge-artifacts/<sha256>/<name>).
	Uploads []artifact.Upload
	// Artifacts are the uploads' files, keyed by S3 URI.
	Artifacts map[string]artifact.File
	// Components and Deployments summarise the output for the plan view.
	Components  []Component
	Deployments []Deployment
}

// Component is one component version as the plan view shows it.
type Component struct {
	Name      string
	Version   string
	Recipe    string   // path of the recipe under <out>/greengrass/
	Platforms []string // "linux/amd64", ...; empty for platform-independent components
	Artifacts []string // S3 URIs
	DependsOn []string // "name =version"
}

// Deployment is one CreateDeployment request as the plan view shows it.
type Deployment struct {
	EdgeTarget string
	Name       string
	TargetARN  string
	Request    string   // path of the request under <out>/greengrass/
	Components []string // "name version"
	Rollout    string   // one-line summary of the IoT job configuration
	// Guards are the gates the shipped model passed (its registration's
	// chain, the target's own gates included).
	Guards []string
}

// Generate returns the recipes and deployment requests keyed by their path relative to <out>/greengrass/.
func Generate(p *ir.Pipeline, in Inputs) (map[string][]byte, error) {
	r, err := Build(p, in)
	if err != nil {
		return nil, err
	}
	return r.Files, nil
}

// Build generates everything: files, uploads and the plan summary.
func Build(p *ir.Pipeline, in Inputs) (*Result, error) {
	if p == nil {
		return nil, fmt.Errorf("greengrass backend: no pipeline")
	}
	storage := map[string]ir.Storage{}
	for _, s := range p.Storage {
		storage[s.Name] = s
	}
	res := &Result{Files: map[string][]byte{}, Artifacts: map[string]artifact.File{}}
	uploads := map[string]artifact.Upload{}
	for _, e := range p.EdgeTargets {
		st, ok := storage[e.Storage]
		if !ok {
			return nil, fmt.Errorf("%s: edge_target %q stores artifacts in %q, which is not a storage block", e.Range, e.Name, e.Storage)
		}
		model, ok := in.Models[e.Name]
		if !ok || model.Size() == 0 {
			return nil, fmt.Errorf("%s: edge_target %q: no model bundle archive (%s variant) to put in its model component; build or download the bundle first", e.Range, e.Name, e.Variant)
		}
		t := target{p: p, e: e, st: st, uploads: uploads, files: res.Artifacts}
		modelRecipe, modelComp, err := t.modelComponent(model)
		if err != nil {
			return nil, err
		}
		appRecipe, appComp, err := t.inferenceComponent(in.Runtime, modelComp)
		if err != nil {
			return nil, err
		}
		for _, rc := range []struct {
			c Component
			b []byte
		}{{modelComp, modelRecipe}, {appComp, appRecipe}} {
			if prev, dup := res.Files[rc.c.Recipe]; dup && string(prev) != string(rc.b) {
				return nil, fmt.Errorf("%s: edge_target %q: component %s %s is declared twice with different content; give each edge target its own component_name", e.Range, e.Name, rc.c.Name, rc.c.Version)
			} else if !dup {
				res.Components = append(res.Components, rc.c)
			}
			res.Files[rc.c.Recipe] = rc.b
		}
		req, dep, err := t.deployment(appComp, modelComp)
		if err != nil {
			return nil, err
		}
		res.Files[dep.Request] = req
		res.Deployments = append(res.Deployments, dep)
	}
	for _, u := range uploads {
		res.Uploads = append(res.Uploads, u)
	}
	artifact.Sort(res.Uploads)
	sort.Slice(res.Components, func(i, j int) bool { return res.Components[i].Recipe < res.Components[j].Recipe })
	sort.Slice(res.Deployments, func(i, j int) bool { return res.Deployments[i].EdgeTarget < res.Deployments[j].EdgeTarget })
	return res, nil
}

// target generates one edge target's components and deployment.
type target struct {
	p       *ir.Pipeline
	e       ir.EdgeTarget
	st      ir.Storage
	uploads map[string]artifact.Upload
	files   map[string]artifact.File
}
