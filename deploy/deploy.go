// Package deploy is what `slm plan` and `slm apply` do, below the CLI: plan
// builds every artifact (planner), reads what is deployed (awsdeploy) and
// compares (compiler/plan); the CLI parses flags and renders.
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass"
	"github.com/slm-project/slm/compiler/cost"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/deploy/planner"
)

// PlanRequest is what a plan is made from.
type PlanRequest struct {
	Pipeline *ir.Pipeline
	Code     planner.CodeOptions
	// EdgeRuntimeDir and Model locate what the Greengrass components
	// carry. With no Model, the edge release ships the model registry's
	// latest Approved package of each target's group (ModelVersion pins
	// a version), unless Offline.
	EdgeRuntimeDir, Model string
	ModelVersion          int32
	// Offline skips AWS: every item is a create against nothing.
	Offline bool
	// Clients read the deployed state; nil loads them from the default
	// credential chain for the project's region.
	Clients *awsdeploy.Clients
	// Version is the running slm's version, recorded in the plan.
	Version string
	// Prices price the plan's cost estimate (compiler/cost); nil leaves
	// the estimate out.
	Prices *cost.Prices
}

// Planned is a plan ready to write: its files, plan.json among them.
type Planned struct {
	*planner.Result
	Files map[string][]byte
	JSON  []byte
}

// Plan makes a plan.
func Plan(ctx context.Context, r PlanRequest) (*Planned, error) {
	code, err := planner.ResolveCode(r.Code)
	if err != nil {
		return nil, err
	}
	c := r.Clients
	if c == nil && !r.Offline {
		if c, err = awsdeploy.LoadClients(ctx, r.Pipeline.Project.Region); err != nil {
			return nil, err
		}
	}
	in := planner.Inputs{Pipeline: r.Pipeline, Code: code}
	edgeModels, err := edgeRelease(ctx, r, c, &in)
	if err != nil {
		return nil, err
	}
	res, err := planner.Build(in)
	if err != nil {
		return nil, err
	}
	res.Plan.EdgeModels = edgeModels
	d := plan.Deployed{Offline: true}
	if !r.Offline {
		if d, err = c.Read(ctx, res.Plan); err != nil {
			return nil, fmt.Errorf("reading what is deployed (pass --offline to plan without AWS): %w", err)
		}
		if acct := r.Pipeline.Project.Account; acct != "" && d.Account != acct {
			return nil, fmt.Errorf("the AWS credentials are for account %s (%s), but the project deploys to account %s: use that account's credentials (AWS_PROFILE), or --offline", d.Account, d.CallerARN, acct)
		}
	}
	if err := plan.Compare(res.Plan, res.Definition, d); err != nil {
		return nil, err
	}
	res.Plan.SlmVersion = r.Version
	if r.Prices != nil {
		res.Plan.Cost = cost.Of(r.Pipeline, r.Prices)
		if d.Pipeline != nil {
			costChanges(res.Plan.Cost, r.Pipeline, d.Pipeline.Definition, r.Prices)
		}
	}
	j, err := EncodeJSON(res.Plan)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(res.Files)+1)
	for k, v := range res.Files {
		files[k] = v
	}
	files[planner.PlanFile] = j
	return &Planned{Result: res, Files: files, JSON: j}, nil
}

// edgeRelease finds the model bundle each edge target ships, a local one
// (--model) or the registry's, and the edge runtime; it leaves in.Edge nil,
// with a note, when there is nothing to ship.
func edgeRelease(ctx context.Context, r PlanRequest, c *awsdeploy.Clients, in *planner.Inputs) ([]plan.EdgeModel, error) {
	p := r.Pipeline
	if len(p.EdgeTargets) == 0 {
		return nil, nil
	}
	var models map[string]artifact.File
	var out []plan.EdgeModel
	switch {
	case r.Model != "":
		m, err := planner.EdgeModels(p, r.Model)
		if err != nil {
			return nil, err
		}
		models = m
		// A local bundle has no gate record: it ships, and the plan says
		// its gates are not checked (the reviewer vouches for the file).
		for _, t := range p.EdgeTargets {
			out = append(out, plan.EdgeModel{EdgeTarget: t.Name, Source: "local", Gates: t.Guards, BundleSHA256: m[t.Name].SHA256()})
		}
	case r.Offline:
		in.EdgeNote = "Greengrass components and deployments are not planned offline: the edge release ships the model registry's latest Approved model package, which --offline does not read. Pass --model to plan a local bundle."
		return nil, nil
	default:
		groups := map[string]string{}
		for _, reg := range p.Registers {
			groups[reg.Name] = reg.ModelPackageGroup
		}
		models = map[string]artifact.File{}
		for _, t := range p.EdgeTargets {
			group := groups[t.Register]
			mp, err := c.ModelPackage(ctx, group, r.ModelVersion)
			if err != nil {
				return nil, err
			}
			if mp == nil {
				what := "no Approved model package"
				if r.ModelVersion != 0 {
					what = fmt.Sprintf("no model package version %d", r.ModelVersion)
				}
				in.EdgeNote = fmt.Sprintf("Greengrass components and deployments are not planned: the model package group %s has %s yet (run the pipeline and approve a model, or pass --model).", group, what)
				return nil, nil
			}
			// SPEC 1.7: a package ships only to a target whose gates it all
			// passed. One that did not is withheld from this target (not
			// replaced by an older package: the plan says so and the
			// reviewer decides, e.g. with --model-version).
			if missing := mp.MissingGates(t.Guards); len(missing) > 0 {
				out = append(out, plan.EdgeModel{EdgeTarget: t.Name, Source: "registry", Group: group, Version: mp.Version, ARN: mp.ARN, Status: mp.Status,
					Metrics: mp.Metrics, Gates: t.Guards, PackageGates: mp.Gates, MissingGates: missing})
				continue
			}
			archive, err := c.Fetch(ctx, mp.ModelDataURL)
			if err != nil {
				return nil, fmt.Errorf("model package %s: %w", mp.ARN, err)
			}
			bundle, err := planner.BundleFromModelArchive(ctx, archive, t.Variant)
			if err != nil {
				return nil, fmt.Errorf("model package %s (%s): %w", mp.ARN, mp.ModelDataURL, err)
			}
			f := artifact.File{Role: fmt.Sprintf("model bundle (%s) of model package %s/%d", t.Variant, group, mp.Version), Name: "bundle.tar.gz", Content: bundle}
			models[t.Name] = f
			out = append(out, plan.EdgeModel{EdgeTarget: t.Name, Source: "registry", Group: group, Version: mp.Version, ARN: mp.ARN, Status: mp.Status,
				Metrics: mp.Metrics, Gates: t.Guards, PackageGates: mp.Gates, BundleSHA256: f.SHA256()})
		}
		if len(models) == 0 {
			in.EdgeNote = "Greengrass components and deployments are not planned: no edge target's model package passed the target's gates (see Edge models)."
			return out, nil
		}
	}
	rt, err := planner.EdgeRuntime(p, r.EdgeRuntimeDir)
	if err != nil {
		return nil, err
	}
	in.Edge = &greengrass.Inputs{Runtime: rt, Models: models}
	return out, nil
}

// costChanges says how the cost of a run moves from the deployed
// definition's to the planned one's.
func costChanges(c *cost.Estimate, p *ir.Pipeline, deployed []byte, prices *cost.Prices) {
	blocks := map[string]string{}
	for _, s := range p.Steps {
		blocks[s.Name] = s.Block
	}
	before, err := cost.OfDefinition(deployed, p.Project.Region, blocks, prices)
	if err != nil {
		c.Missing = append(c.Missing, "the change from what is deployed: "+err.Error())
		return
	}
	c.Changes = cost.Diff(before, c)
}

// EncodeJSON writes v as indented JSON without HTML escaping.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}
