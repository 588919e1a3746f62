package awsdeploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy/planner"
)

// ApplyOptions tune an apply.
type ApplyOptions struct {
	// Environ is the process environment (where referenced files are found).
	Environ []string
	// Progress receives one line per step done; nil discards.
	Progress io.Writer
	// AfterUpload, when set, is called after each upload (tests interrupt
	// an apply there).
	AfterUpload func(uri string)
}

// Applied is what an apply did.
type Applied struct {
	Uploaded, AlreadyThere int
	Pipeline               plan.Action
	PipelineARN            string
	// PipelineVersionID is the version Create/UpdatePipeline made, when
	// the service says (moto does not).
	PipelineVersionID int64
}

// StaleError says the deployed state changed since the plan.
type StaleError struct{ Changes []string }

func (e *StaleError) Error() string {
	return "the plan is stale: what is deployed changed since it was made (" + strings.Join(e.Changes, "; ") + "). Plan again and review the new plan."
}

// Apply applies a saved plan exactly: it checks the account and region,
// takes the lock, re-reads what the plan was computed against (refusing a
// stale plan), uploads the missing objects (create-if-absent, SHA-256
// checksummed), creates or updates the pipeline (tagged with the plan's
// digest), and releases the lock. Each step is create-if-absent or
// compare-then-update, so an apply interrupted anywhere and run again
// converges.
func (c *Clients) Apply(ctx context.Context, s *planner.Saved, o ApplyOptions) (res Applied, err error) {
	p := s.Plan
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	if p.State.Offline {
		return res, fmt.Errorf("the plan in %s was made with --offline, against nothing: apply needs a plan compared with what is deployed; plan again without --offline", s.Dir)
	}
	if c.Region != p.Region {
		return res, fmt.Errorf("the plan is for region %s, the clients are for %s", p.Region, c.Region)
	}
	id, err := c.WhoAmI(ctx)
	if err != nil {
		return res, err
	}
	if id.Account != p.State.Account || (p.Account != "" && id.Account != p.Account) {
		want := p.State.Account
		if p.Account != "" {
			want = p.Account
		}
		return res, fmt.Errorf("the credentials are for account %s (%s), but the plan deploys to account %s: use that account's credentials (AWS_PROFILE)", id.Account, id.ARN, want)
	}
	lockID, err := NewLockID()
	if err != nil {
		return res, err
	}
	lock, err := c.AcquireLock(ctx, p.Lock, LockInfo{ID: lockID, Who: id.ARN, Operation: "apply " + p.Pipeline, Plan: s.SHA256, Created: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "Acquired the lock %s (id %s).\n", p.Lock, lockID)
	defer func() {
		// Released even when ctx was cancelled: an interrupted apply leaves
		// no lock behind unless the process itself dies.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if rerr := lock.Release(rctx); rerr != nil && err == nil {
			err = rerr
		} else if rerr == nil {
			fmt.Fprintf(progress, "Released the lock.\n")
		}
	}()
	now, err := c.Read(ctx, p)
	if err != nil {
		return res, err
	}
	if err := checkStale(p, now); err != nil {
		return res, err
	}
	for _, u := range p.Uploads {
		if _, ok := now.Objects[u.URI]; ok && u.Action != plan.Replace {
			res.AlreadyThere++
			continue
		}
		b, err := s.UploadBytes(u, o.Environ)
		if err != nil {
			return res, err
		}
		start := time.Now()
		if err := c.put(ctx, u, b); err != nil {
			return res, err
		}
		d := time.Since(start)
		fmt.Fprintf(progress, "Uploaded %s (%s, %s/s)\n", u.URI, humanBytes(len(b)), humanBytes(int(float64(len(b))/max(d.Seconds(), 1e-3))))
		res.Uploaded++
		if o.AfterUpload != nil {
			o.AfterUpload(u.URI)
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("apply interrupted after uploading %s: %w (run it again: it carries on where it stopped)", u.URI, err)
		}
	}
	res.Pipeline, res.PipelineARN, res.PipelineVersionID, err = c.putPipeline(ctx, s, now.Pipeline)
	if err != nil {
		return res, err
	}
	switch res.Pipeline {
	case plan.Create:
		fmt.Fprintf(progress, "Created the pipeline %s.\n", res.PipelineARN)
	case plan.Update:
		fmt.Fprintf(progress, "Updated the pipeline %s.\n", res.PipelineARN)
	}
	return res, nil
}

// checkStale refuses a plan whose deployed state changed since it was made.
// A pipeline that now holds exactly the planned definition is not a change
// (an earlier run of this plan got that far); objects under content-addressed
// keys are not either (the same key holds the same bytes).
func checkStale(p *plan.Plan, now plan.Deployed) error {
	var changes []string
	for _, r := range p.State.Reads {
		if r.Kind != plan.ReadPipeline {
			continue
		}
		switch dp := now.Pipeline; {
		case dp == nil && r.Exists:
			changes = append(changes, "the pipeline "+r.ID+" was deleted")
		case dp != nil && !r.Exists && plan.DigestOf(dp.Definition) != p.Target.DefinitionSHA256:
			changes = append(changes, "the pipeline "+r.ID+" was created by someone else")
		case dp != nil && r.Exists && plan.DigestOf(dp.Definition) != r.SHA256 && plan.DigestOf(dp.Definition) != p.Target.DefinitionSHA256:
			what := "its definition changed"
			if by := dp.Tags[TagPlanSHA256]; by != "" {
				what += " (last applied from plan " + short(by) + ")"
			} else {
				what += " (not by slm apply: no plan tag)"
			}
			changes = append(changes, "the pipeline "+r.ID+": "+what)
		}
	}
	if len(changes) > 0 {
		return &StaleError{Changes: changes}
	}
	return nil
}

// put uploads one object if it is absent, with its SHA-256 checksum (S3
// verifies it on receipt).
func (c *Clients) put(ctx context.Context, u plan.Upload, b []byte) error {
	bucket, key, err := splitURI(u.URI)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	in := &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b),
		ContentLength:     aws.Int64(int64(len(b))),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}
	if u.Action != plan.Replace {
		in.IfNoneMatch = aws.String("*")
	}
	if _, err := c.S3.PutObject(ctx, in); err != nil {
		if isPreconditionFailed(err) {
			return nil // someone put it meanwhile: the same bytes under the same digest
		}
		return explain(err, "s3:PutObject", u.URI)
	}
	return nil
}

// putPipeline creates the pipeline or updates it to the planned definition,
// and tags it with the plan's and the definition's digests.
func (c *Clients) putPipeline(ctx context.Context, s *planner.Saved, deployed *plan.DeployedPipeline) (plan.Action, string, int64, error) {
	t := s.Plan.Target
	tags := []smtypes.Tag{
		{Key: aws.String(TagPlanSHA256), Value: aws.String(s.SHA256)},
		{Key: aws.String(TagDefinitionSHA256), Value: aws.String(t.DefinitionSHA256)},
		{Key: aws.String("slm:pipeline"), Value: aws.String(s.Plan.Pipeline)},
	}
	var par *smtypes.ParallelismConfiguration
	if t.MaxParallel > 0 {
		par = &smtypes.ParallelismConfiguration{MaxParallelExecutionSteps: aws.Int32(int32(t.MaxParallel))}
	}
	var desc *string
	if t.Description != "" {
		desc = aws.String(t.Description)
	}
	if deployed == nil {
		out, err := c.SageMaker.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{
			PipelineName: aws.String(t.Name), PipelineDisplayName: aws.String(t.Name), PipelineDescription: desc,
			PipelineDefinition: aws.String(string(s.Definition)), RoleArn: aws.String(t.RoleARN),
			ParallelismConfiguration: par, Tags: tags, ClientRequestToken: aws.String(s.SHA256[:32]),
		})
		if err != nil {
			return "", "", 0, explain(err, "sagemaker:CreatePipeline", t.Name)
		}
		return plan.Create, aws.ToString(out.PipelineArn), 0, nil
	}
	action := plan.NoOp
	var version int64
	if plan.DigestOf(deployed.Definition) != t.DefinitionSHA256 || deployed.RoleARN != t.RoleARN {
		out, err := c.SageMaker.UpdatePipeline(ctx, &sagemaker.UpdatePipelineInput{
			PipelineName: aws.String(t.Name), PipelineDisplayName: aws.String(t.Name), PipelineDescription: desc,
			PipelineDefinition: aws.String(string(s.Definition)), RoleArn: aws.String(t.RoleARN),
			ParallelismConfiguration: par,
		})
		if err != nil {
			return "", "", 0, explain(err, "sagemaker:UpdatePipeline", t.Name)
		}
		version = aws.ToInt64(out.PipelineVersionId)
		action = plan.Update
	}
	if deployed.Tags[TagPlanSHA256] != s.SHA256 || action == plan.Update {
		if _, err := c.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(deployed.ARN), Tags: tags}); err != nil {
			return "", "", 0, explain(err, "sagemaker:AddTags", deployed.ARN)
		}
	}
	return action, deployed.ARN, version, nil
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
