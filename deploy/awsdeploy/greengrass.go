package awsdeploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/greengrassv2"
	ggtypes "github.com/aws/aws-sdk-go-v2/service/greengrassv2/types"

	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy/planner"
)

// GreengrassAPI is the part of Greengrass v2 slm uses.
type GreengrassAPI interface {
	DescribeComponent(context.Context, *greengrassv2.DescribeComponentInput, ...func(*greengrassv2.Options)) (*greengrassv2.DescribeComponentOutput, error)
	CreateComponentVersion(context.Context, *greengrassv2.CreateComponentVersionInput, ...func(*greengrassv2.Options)) (*greengrassv2.CreateComponentVersionOutput, error)
	ListDeployments(context.Context, *greengrassv2.ListDeploymentsInput, ...func(*greengrassv2.Options)) (*greengrassv2.ListDeploymentsOutput, error)
	GetDeployment(context.Context, *greengrassv2.GetDeploymentInput, ...func(*greengrassv2.Options)) (*greengrassv2.GetDeploymentOutput, error)
	CreateDeployment(context.Context, *greengrassv2.CreateDeploymentInput, ...func(*greengrassv2.Options)) (*greengrassv2.CreateDeploymentOutput, error)
}

// componentARN is a component version's ARN.
func componentARN(region, account, name, version string) string {
	return fmt.Sprintf("arn:aws:greengrass:%s:%s:components:%s:versions:%s", region, account, name, version)
}

// readGreengrass reads which of the plan's component versions exist and
// each deployment target's latest deployment.
func (c *Clients) readGreengrass(ctx context.Context, account string, p *plan.Plan, d *plan.Deployed) error {
	d.Components = map[string]bool{}
	d.Deployments = map[string]plan.DeployedDeployment{}
	for _, r := range p.Resources {
		switch r.Kind {
		case "greengrass-component":
			arn := componentARN(c.Region, account, r.Type, r.Name)
			if _, err := c.Greengrass.DescribeComponent(ctx, &greengrassv2.DescribeComponentInput{Arn: aws.String(arn)}); err != nil {
				if isNotFound(err) {
					continue
				}
				return explain(err, "greengrass:DescribeComponent", arn)
			}
			d.Components[r.Type+" "+r.Name] = true
		case "greengrass-deployment":
			dd, err := c.latestDeployment(ctx, r.TargetARN)
			if err != nil {
				return err
			}
			if dd != nil {
				d.Deployments[r.TargetARN] = *dd
			}
		}
	}
	return nil
}

func (c *Clients) latestDeployment(ctx context.Context, target string) (*plan.DeployedDeployment, error) {
	out, err := c.Greengrass.ListDeployments(ctx, &greengrassv2.ListDeploymentsInput{TargetArn: aws.String(target), HistoryFilter: ggtypes.DeploymentHistoryFilterLatestOnly})
	if err != nil {
		return nil, explain(err, "greengrass:ListDeployments", target)
	}
	if len(out.Deployments) == 0 {
		return nil, nil
	}
	latest := out.Deployments[0]
	for _, x := range out.Deployments[1:] {
		if x.IsLatestForTarget || aws.ToTime(x.CreationTimestamp).After(aws.ToTime(latest.CreationTimestamp)) {
			latest = x
		}
	}
	g, err := c.Greengrass.GetDeployment(ctx, &greengrassv2.GetDeploymentInput{DeploymentId: latest.DeploymentId})
	if err != nil {
		return nil, explain(err, "greengrass:GetDeployment", aws.ToString(latest.DeploymentId))
	}
	dd := &plan.DeployedDeployment{ID: aws.ToString(g.DeploymentId), Status: string(g.DeploymentStatus), Components: map[string]string{}}
	for n, spec := range g.Components {
		dd.Components[n] = aws.ToString(spec.ComponentVersion)
	}
	return dd, nil
}

// applyGreengrass creates the missing component versions, waits until each
// is deployable, then creates the deployments whose components differ from
// what the target runs. A deployment in progress is never cancelled: the
// new one supersedes it on each device when it arrives. In a staged
// rollout the fleet's deployment waits for the canary's to succeed
// (waitStage); a canary that does not stops the apply with a StageError.
func (c *Clients) applyGreengrass(ctx context.Context, s *planner.Saved, account string, now plan.Deployed, progress io.Writer, res *Applied) error {
	for _, r := range s.Plan.Resources {
		if r.Kind != "greengrass-component" || now.Components[r.Type+" "+r.Name] {
			continue
		}
		recipe, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(r.File)))
		if err != nil {
			return fmt.Errorf("reading the recipe of %s: %w", r.Address, err)
		}
		sum := sha256.Sum256(recipe)
		if _, err := c.Greengrass.CreateComponentVersion(ctx, &greengrassv2.CreateComponentVersionInput{
			InlineRecipe: recipe, ClientToken: aws.String(hex.EncodeToString(sum[:16])),
			Tags: map[string]string{"slm:pipeline": s.Plan.Pipeline},
		}); err != nil && !isConflict(err) {
			return explain(err, "greengrass:CreateComponentVersion", r.Address)
		}
		if err := c.waitDeployable(ctx, componentARN(c.Region, account, r.Type, r.Name)); err != nil {
			return fmt.Errorf("component %s: %w", r.Address, err)
		}
		fmt.Fprintf(progress, "Created the component version %s.\n", r.Address)
		res.Components++
	}
	deployed := func(r plan.Resource) (string, bool) {
		dd, ok := now.Deployments[r.TargetARN]
		return dd.ID, ok && equalComponents(dd.Components, r.Components) && dd.Status != "FAILED" && dd.Status != "CANCELED"
	}
	// A fleet that runs the release already needs no canary wait.
	fleetDone := map[string]bool{}
	for _, r := range s.Plan.Resources {
		if r.Kind == "greengrass-deployment" && r.Stage == "fleet" {
			_, fleetDone[r.Name] = deployed(r)
		}
	}
	// In a staged rollout the canary comes before its fleet (the plan's
	// order); a canary that does not succeed stops its target's release.
	for _, r := range s.Plan.Resources {
		if r.Kind != "greengrass-deployment" {
			continue
		}
		// Deployed already (an earlier run of this plan got this far): a
		// canary is waited on unless its fleet is done, never created again.
		id, done := deployed(r)
		if done && (r.Stage != "canary" || fleetDone[r.Name]) {
			continue
		}
		if !done {
			id = ""
		}
		in, err := readDeploymentRequest(s, r)
		if err != nil {
			return err
		}
		if id == "" {
			out, err := c.Greengrass.CreateDeployment(ctx, in)
			if err != nil {
				return explain(err, "greengrass:CreateDeployment", r.TargetARN)
			}
			id = aws.ToString(out.DeploymentId)
			fmt.Fprintf(progress, "Created the deployment %s to %s.\n", id, r.TargetARN)
			res.Deployments++
		}
		if r.Stage == "canary" {
			limit := 60 * time.Minute
			if tc := in.IotJobConfiguration; tc != nil && tc.TimeoutConfig != nil && aws.ToInt64(tc.TimeoutConfig.InProgressTimeoutInMinutes) > 0 {
				limit = time.Duration(aws.ToInt64(tc.TimeoutConfig.InProgressTimeoutInMinutes)) * time.Minute
			}
			if err := c.waitStage(ctx, r.Name, r.TargetARN, id, limit, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDeploymentRequest reads a deployment's CreateDeployment request from
// the plan, with a client token derived from its bytes (a retried create
// is the same deployment).
func readDeploymentRequest(s *planner.Saved, r plan.Resource) (*greengrassv2.CreateDeploymentInput, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(r.File)))
	if err != nil {
		return nil, fmt.Errorf("reading the deployment request of %s: %w", r.Address, err)
	}
	var in greengrassv2.CreateDeploymentInput
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("the deployment request %s: %w", r.File, err)
	}
	sum := sha256.Sum256(b)
	in.ClientToken = aws.String(hex.EncodeToString(sum[:16]))
	return &in, nil
}

func equalComponents(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// waitDeployable polls a new component version until Greengrass has
// checked its artifacts (DEPLOYABLE) or failed it.
func (c *Clients) waitDeployable(ctx context.Context, arn string) error {
	delay := 200 * time.Millisecond
	for i := 0; ; i++ {
		out, err := c.Greengrass.DescribeComponent(ctx, &greengrassv2.DescribeComponentInput{Arn: aws.String(arn)})
		if err != nil {
			return explain(err, "greengrass:DescribeComponent", arn)
		}
		if out.Status != nil {
			switch out.Status.ComponentState {
			case ggtypes.CloudComponentStateDeployable:
				return nil
			case ggtypes.CloudComponentStateFailed:
				return fmt.Errorf("the Greengrass service refused the component version: %s %v", aws.ToString(out.Status.Message), out.Status.Errors)
			}
		}
		if i >= 60 {
			return fmt.Errorf("not deployable after %d checks", i)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
