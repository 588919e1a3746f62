package awsdeploy_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy"
	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/deploy/planner"
	"github.com/slm-project/slm/internal/awstest"
	"github.com/slm-project/slm/lang"
)

const example = "../../examples/intent"

// setup resets moto, creates the example's buckets (the estate) and plans
// the example's dev environment into a plan directory.
func setup(t *testing.T) (aws.Config, *awsdeploy.Clients, *planner.Saved) {
	t.Helper()
	ctx := context.Background()
	cfg := awstest.Config(t)
	s3c := s3.NewFromConfig(cfg)
	for _, b := range []string{"slm-model-artifacts-dev-acme", "slm-intents-dev-acme", "slm-edge-deployments-dev-acme"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
			t.Fatal(err)
		}
	}
	res := compiler.Load(ctx, compiler.Request{FS: osFS{}, Dir: example, Vars: lang.VarInputs{
		VarFiles: []string{example + "/envs/dev.slmvars.hcl"}, Vars: []string{"account_id=" + awstest.AccountID}}})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	runner, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := exec.LookPath("false")
	if err != nil {
		t.Fatal(err)
	}
	c := awsdeploy.NewClients(cfg, awstest.Region)
	pd, err := deploy.Plan(ctx, deploy.PlanRequest{Pipeline: res.Pipeline, Code: planner.CodeOptions{Runner: runner, ORTLib: lib}, Clients: c, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "plan")
	if err := planner.WriteDir(dir, pd.Files); err != nil {
		t.Fatal(err)
	}
	s, err := planner.LoadSaved(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, c, s
}

// TestApplyInterruptedConverges stops an apply after its first upload (as
// a Ctrl-C would): the lock is released, and running the same plan again
// uploads the rest and creates the pipeline, duplicating nothing.
func TestApplyInterruptedConverges(t *testing.T) {
	_, c, s := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := c.Apply(ctx, s, awsdeploy.ApplyOptions{AfterUpload: func(string) { cancel() }})
	if err == nil || !strings.Contains(err.Error(), "apply interrupted after uploading") {
		t.Fatalf("interrupted apply: %v", err)
	}
	res, err := c.Apply(context.Background(), s, awsdeploy.ApplyOptions{})
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	if res.AlreadyThere != 1 || res.Uploaded != len(s.Plan.Uploads)-1 || res.Pipeline != plan.Create {
		t.Errorf("second apply: %+v, want 1 already there, %d uploaded, the pipeline created", res, len(s.Plan.Uploads)-1)
	}
	// Once more: everything is there.
	res, err = c.Apply(context.Background(), s, awsdeploy.ApplyOptions{})
	if err != nil {
		t.Fatalf("third apply: %v", err)
	}
	if res.Uploaded != 0 || res.Pipeline != plan.NoOp {
		t.Errorf("third apply changed things: %+v", res)
	}
}

// TestApplyWrongAccount: credentials of another account are refused before
// anything is touched (moto takes the account from x-moto-account-id).
func TestApplyWrongAccount(t *testing.T) {
	cfg, _, s := setup(t)
	other := cfg.Copy()
	other.APIOptions = append(other.APIOptions, func(st *middleware.Stack) error {
		return st.Build.Add(middleware.BuildMiddlewareFunc("motoAccount", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if r, ok := in.Request.(*smithyhttp.Request); ok {
				r.Header.Set("x-moto-account-id", "999999999999")
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	})
	c := awsdeploy.NewClients(other, awstest.Region)
	_, err := c.Apply(context.Background(), s, awsdeploy.ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "the credentials are for account 999999999999") || !strings.Contains(err.Error(), "deploys to account "+awstest.AccountID) {
		t.Fatalf("apply with another account's credentials: %v", err)
	}
}

// TestLock: a held lock refuses a second holder, names the first, and is
// released only by its own id.
func TestLock(t *testing.T) {
	_, c, s := setup(t)
	ctx := context.Background()
	first, err := c.AcquireLock(ctx, s.Plan.Lock, awsdeploy.LockInfo{ID: "one", Who: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AcquireLock(ctx, s.Plan.Lock, awsdeploy.LockInfo{ID: "two", Who: "bob"})
	var le *awsdeploy.LockedError
	if !errors.As(err, &le) || le.Holder.ID != "one" || le.Holder.Who != "alice" {
		t.Fatalf("second lock: %v", err)
	}
	if _, err := c.Apply(ctx, s, awsdeploy.ApplyOptions{}); !errors.As(err, &le) {
		t.Fatalf("apply while locked: %v", err)
	}
	if _, err := c.ForceUnlock(ctx, s.Plan.Lock, "two"); err == nil {
		t.Fatal("force-unlock with the wrong id released the lock")
	}
	if _, err := c.ForceUnlock(ctx, s.Plan.Lock, "one"); err != nil {
		t.Fatal(err)
	}
	// The first holder's release now finds someone else's lock (or none)
	// and deletes nothing of theirs.
	second, err := c.AcquireLock(ctx, s.Plan.Lock, awsdeploy.LockInfo{ID: "three", Who: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Release(ctx); err == nil {
		t.Fatal("a released lock's holder deleted the next holder's lock")
	}
	if err := second.Release(ctx); err != nil {
		t.Fatal(err)
	}
}
