package awsdeploy

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/greengrassv2"
	ggtypes "github.com/aws/aws-sdk-go-v2/service/greengrassv2/types"

	"github.com/slm-project/slm/internal/awstest"
	"github.com/slm-project/slm/internal/ggfake"
)

// TestWaitStage: waiting on a canary deployment ends in success, in a
// StageError naming the deployment and its status when the job failed, and
// in a StageError saying it timed out when the canary rollout's timeout
// passes with a device still in progress (the deployment is left as is).
func TestWaitStage(t *testing.T) {
	gg := ggfake.New(t, awstest.Region, awstest.AccountID)
	cfg := aws.Config{Region: awstest.Region, BaseEndpoint: aws.String(gg.URL),
		Credentials: credentials.NewStaticCredentialsProvider(awstest.AccessKeyID, awstest.SecretAccessKey, "")}
	c := NewClients(cfg, awstest.Region)
	group := "arn:aws:iot:" + awstest.Region + ":" + awstest.AccountID + ":thinggroup/canary"
	for _, tt := range []struct {
		outcome string
		limit   time.Duration
		want    string // "" for success
	}{
		{ggfake.JobSucceeded, time.Minute, ""},
		{ggfake.JobFailed, time.Minute, "stopped: its IoT job job-00000002-0000-4000-8000-000000000000 is CANCELED: 0 succeeded, 1 failed"},
		{ggfake.JobInProgress, 1500 * time.Millisecond, "did not succeed within the canary rollout's timeout (1.5s): timed out"},
	} {
		t.Run(tt.outcome, func(t *testing.T) {
			ctx := context.Background()
			gg.SetJobOutcome(group, tt.outcome)
			out, err := c.Greengrass.CreateDeployment(ctx, &greengrassv2.CreateDeploymentInput{TargetArn: aws.String(group),
				Components: map[string]ggtypes.ComponentDeploymentSpecification{"aws.greengrass.LogManager": {ComponentVersion: aws.String("2.3.5")}}})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.DeploymentId)
			err = c.waitStage(ctx, "stores", group, id, tt.limit, io.Discard)
			var se *StageError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("waitStage: %v", err)
			case tt.want != "" && (!errors.As(err, &se) || se.Deployment != id || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("waitStage: %v, want a StageError for %s saying %q", err, id, tt.want)
			}
			for _, d := range gg.Deployments() {
				if d.ID == id && d.Status != "ACTIVE" {
					t.Errorf("the deployment is %s after the wait, want it left ACTIVE", d.Status)
				}
			}
		})
	}
	if len(gg.Errors) > 0 {
		t.Fatalf("the fake refused requests: %v", gg.Errors)
	}
}
