// Package deploy is what `slm plan` and `slm apply` do, below the CLI: plan
// builds every artifact (planner), reads what is deployed (awsdeploy) and
// compares (compiler/plan); the CLI parses flags and renders.
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

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
	// carry; with no Model the edge release is not planned.
	EdgeRuntimeDir, Model string
	// Offline skips AWS: every item is a create against nothing.
	Offline bool
	// Clients read the deployed state; nil loads them from the default
	// credential chain for the project's region.
	Clients *awsdeploy.Clients
	// Version is the running slm's version, recorded in the plan.
	Version string
	// Prices price the plan's cost estimate; nil leaves it out.
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
	in := planner.Inputs{Pipeline: r.Pipeline, Code: code}
	if len(r.Pipeline.EdgeTargets) > 0 && r.Model != "" {
		rt, err := planner.EdgeRuntime(r.Pipeline, r.EdgeRuntimeDir)
		if err != nil {
			return nil, err
		}
		models, err := planner.EdgeModels(r.Pipeline, r.Model)
		if err != nil {
			return nil, err
		}
		in.Edge = &greengrass.Inputs{Runtime: rt, Models: models}
	}
	res, err := planner.Build(in)
	if err != nil {
		return nil, err
	}
	d := plan.Deployed{Offline: true}
	if !r.Offline {
		c := r.Clients
		if c == nil {
			if c, err = awsdeploy.LoadClients(ctx, r.Pipeline.Project.Region); err != nil {
				return nil, err
			}
		}
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
