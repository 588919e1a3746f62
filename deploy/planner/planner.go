// Package planner turns a compiled pipeline into everything a plan holds:
// the SageMaker definition (checked), the Terraform, the Greengrass
// recipes and deployment requests, the content-addressed uploads and the
// reviewable plan. `slm plan`, `slm apply` and the commands after them share
// it; the CLI only parses flags and renders.
//
// Large files that exist on disk (the step runner, ONNX Runtime, slm-edge)
// are addressed by digest, never copied into the output directory: a plan
// records where they are and apply reads them, checking the digest.
package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass"
	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/sagemaker/defcheck"
	"github.com/slm-project/slm/backends/terraform"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/compiler/plan"
)

// DefinitionPath is where the pipeline definition lies in a plan directory.
const DefinitionPath = "sagemaker/pipeline.json"

// Inputs are a compiled pipeline and the files it ships.
type Inputs struct {
	Pipeline *ir.Pipeline
	Code     sagemaker.Code
	// Edge is nil when no model bundle was given: Greengrass is then not
	// planned and a note says why (EdgeNote, or a default).
	Edge     *greengrass.Inputs
	EdgeNote string
}

// Result is a plan with the files it writes.
type Result struct {
	Plan *plan.Plan
	// Files are written under the output directory (relative paths), not
	// counting plan.json, which the caller encodes once the plan holds
	// everything.
	Files map[string][]byte
	// Definition is the SageMaker pipeline definition (also in Files).
	Definition []byte
	// Greengrass is the edge release, nil when not planned.
	Greengrass *greengrass.Result
	// Sources are the uploads' files by SHA-256: bytes for those the plan
	// generated, references for those on disk.
	Sources map[string]artifact.File
}

// Build generates every artifact of the plan. Every item is a create;
// comparing with what is deployed (plan.Compare) sets the real actions.
func Build(in Inputs) (*Result, error) {
	p := in.Pipeline
	// Compiling the definition schema is a fifth of a plan's time: it runs
	// while the definition is generated.
	type loaded struct {
		c   *defcheck.Checker
		err error
	}
	checkerc := make(chan loaded, 1)
	go func() {
		c, err := defcheck.New()
		checkerc <- loaded{c, err}
	}()
	sm, err := sagemaker.Generate(p, in.Code)
	if err != nil {
		return nil, fmt.Errorf("generating the SageMaker pipeline: %w", err)
	}
	// The compiler's checks should make this impossible; if the definition
	// still fails the schema or the semantic checks, refuse to write it
	// rather than let CreatePipeline find out.
	l := <-checkerc
	checker, err := l.c, l.err
	if err != nil {
		return nil, fmt.Errorf("loading the pipeline definition checker: %w", err)
	}
	if problems := checker.Check(sm.Definition); len(problems) > 0 {
		var b strings.Builder
		for _, pr := range problems {
			b.WriteString("\n  " + pr.String())
		}
		return nil, fmt.Errorf("the generated SageMaker pipeline definition is invalid; this is a bug in slm, please report it with the configuration:%s", b.String())
	}
	res := &Result{Files: map[string][]byte{DefinitionPath: sm.Definition}, Definition: sm.Definition, Sources: map[string]artifact.File{}}
	for _, u := range sm.Uploads {
		f := sm.Files[u.URI]
		res.Sources[u.SHA256] = f
		if u.Path != "" {
			res.Files[u.Path] = f.Content
		}
	}
	uploads := append([]artifact.Upload(nil), sm.Uploads...)
	tfFiles, tfResources, err := terraform.Render(p, terraform.Inputs{Uploads: sm.Uploads})
	if err != nil {
		return nil, fmt.Errorf("generating the Terraform: %w", err)
	}
	for name, b := range tfFiles {
		res.Files["terraform/"+name] = b
	}
	var notes []string
	if len(p.EdgeTargets) > 0 {
		if in.Edge == nil {
			note := in.EdgeNote
			if note == "" {
				note = "Greengrass components and deployments are not planned: they ship a trained model bundle. Pass --model with a training model directory (holding bundle/ and bundle-int8/) or a bundle."
			}
			notes = append(notes, note)
		} else {
			// Targets without a model (a registry package that failed
			// their gates, deploy.edgeRelease) get no release.
			shipped := *p
			shipped.EdgeTargets = nil
			for _, t := range p.EdgeTargets {
				if _, ok := in.Edge.Models[t.Name]; ok {
					shipped.EdgeTargets = append(shipped.EdgeTargets, t)
				}
			}
			gg, err := greengrass.Build(&shipped, *in.Edge)
			if err != nil {
				return nil, fmt.Errorf("generating the Greengrass components: %w", err)
			}
			res.Greengrass = gg
			for name, b := range gg.Files {
				res.Files["greengrass/"+name] = b
			}
			for _, u := range gg.Uploads {
				f := gg.Artifacts[u.URI]
				res.Sources[u.SHA256] = f
				if u.Path != "" {
					u.Path = "edge/" + u.SHA256 + "/" + u.Name
					res.Files[u.Path] = f.Content
				}
				uploads = append(uploads, u)
			}
		}
	}
	artifact.Sort(uploads)
	pl := plan.Build(p, uploads)
	pl.Notes = notes
	if sm.OverInlineLimit {
		pl.Notes = append(pl.Notes, fmt.Sprintf("The pipeline definition is %d characters, over SageMaker's inline limit, which slm apply does not pass through S3 yet: it will refuse this plan.", sm.Size))
	}
	pl.Target.Definition = DefinitionPath
	pl.Target.DefinitionSHA256 = plan.DigestOf(sm.Definition)
	pl.Lock = LockURI(p)
	for _, r := range tfResources {
		action := plan.Create
		if r.Mode == "data" {
			action = plan.Read
		}
		pl.Resources = append(pl.Resources, plan.Resource{Action: action, Kind: "terraform", Type: r.Type, Name: r.Name, Address: r.Address(), Details: r.Details()})
	}
	if gg := res.Greengrass; gg != nil {
		for _, c := range gg.Components {
			d := []string{"recipe " + c.Recipe}
			if len(c.Platforms) > 0 {
				d = append(d, "platforms "+strings.Join(c.Platforms, ", "))
			}
			if len(c.DependsOn) > 0 {
				d = append(d, "depends on "+strings.Join(c.DependsOn, ", "))
			}
			pl.Resources = append(pl.Resources, plan.Resource{Action: plan.Create, Kind: "greengrass-component", Type: c.Name, Name: c.Version, Address: c.Name + " " + c.Version, Details: d, File: "greengrass/" + c.Recipe})
		}
		for _, dp := range gg.Deployments {
			d := []string{"target " + dp.TargetARN, "components " + strings.Join(dp.Components, ", "), "rollout " + dp.Rollout, "request " + dp.Request}
			if len(dp.Guards) > 0 {
				d = append(d, "ships only a model that passed gate."+strings.Join(dp.Guards, ", gate."))
			}
			comps := map[string]string{}
			for _, c := range dp.Components {
				n, v, _ := strings.Cut(c, " ")
				comps[n] = v
			}
			addr := "edge_target." + dp.EdgeTarget + " (" + dp.Name + ")"
			switch dp.Stage {
			case "canary":
				addr = "edge_target." + dp.EdgeTarget + " stage 1 of 2, canary (" + dp.Name + ")"
				d = append(d, "stage 2 (the fleet) starts only after this deployment's IoT job succeeded; an abort or timeout stops the release")
			case "fleet":
				addr = "edge_target." + dp.EdgeTarget + " stage 2 of 2, fleet (" + dp.Name + ")"
			}
			pl.Resources = append(pl.Resources, plan.Resource{Action: plan.Create, Kind: "greengrass-deployment", Type: "edge_target", Name: dp.EdgeTarget,
				Address: addr, Details: d, File: "greengrass/" + dp.Request, TargetARN: dp.TargetARN, Components: comps, Stage: dp.Stage})
		}
	}
	pl.Artifacts = Artifacts(res.Files)
	res.Plan = pl
	return res, nil
}

// LockURI is the S3 object apply holds while it runs: one per pipeline
// (project and environment), in the artifact storage.
func LockURI(p *ir.Pipeline) string {
	for _, s := range p.Storage {
		if s.Name == p.Project.ArtifactStorage {
			return "s3://" + s.Bucket + "/" + s.Prefix + "slm/locks/" + p.Project.PipelineName + ".lock"
		}
	}
	return ""
}

// Artifacts lists files with their digests, sorted by path.
func Artifacts(files map[string][]byte) []plan.Artifact {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := make([]plan.Artifact, 0, len(paths))
	for _, p := range paths {
		sum := sha256.Sum256(files[p])
		out = append(out, plan.Artifact{Path: p, SHA256: hex.EncodeToString(sum[:]), Size: len(files[p])})
	}
	return out
}
