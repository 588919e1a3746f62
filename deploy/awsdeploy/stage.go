package awsdeploy

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/greengrassv2"
	ggtypes "github.com/aws/aws-sdk-go-v2/service/greengrassv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
)

// IoTAPI is the part of AWS IoT slm uses.
type IoTAPI interface {
	DescribeJob(context.Context, *iot.DescribeJobInput, ...func(*iot.Options)) (*iot.DescribeJobOutput, error)
}

// StageError says a staged rollout's canary did not succeed, so the fleet
// stage was not started.
type StageError struct {
	EdgeTarget, Deployment, Target string
	// Status is what stopped the release: the deployment's or its IoT
	// job's status, or "timed out".
	Status string
}

func (e *StageError) Error() string {
	return fmt.Sprintf("edge_target %q: the canary deployment %s to %s %s, so the fleet (stage 2) was not deployed. "+
		"Look at the canary devices' logs (Greengrass ListEffectiveDeployments, the IoT job's executions); "+
		"a re-run of apply waits on this canary again, and a new plan with another model starts a new canary",
		e.EdgeTarget, e.Deployment, e.Target, e.Status)
}

// stageOutcome reads where a canary deployment stands: done (its IoT job
// ran on every device of the canary group and each succeeded), failed
// (with why), or neither yet.
//
// A Greengrass deployment to a thing group stays ACTIVE while it is the
// group's latest (its IoT job is continuous and never COMPLETED): success
// is read from the job's executions, not from the deployment's status.
func (c *Clients) stageOutcome(ctx context.Context, id string) (done bool, failed string, err error) {
	d, err := c.Greengrass.GetDeployment(ctx, &greengrassv2.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return false, "", explain(err, "greengrass:GetDeployment", id)
	}
	switch d.DeploymentStatus {
	case ggtypes.DeploymentStatusFailed, ggtypes.DeploymentStatusCanceled, ggtypes.DeploymentStatusInactive:
		return false, "is " + string(d.DeploymentStatus), nil
	}
	job := aws.ToString(d.IotJobId)
	if job == "" {
		return false, "", nil // the service has not created the job yet
	}
	j, err := c.IoT.DescribeJob(ctx, &iot.DescribeJobInput{JobId: aws.String(job)})
	if err != nil {
		return false, "", explain(err, "iot:DescribeJob", job)
	}
	if j.Job == nil {
		return false, "", fmt.Errorf("iot:DescribeJob %s: no job in the answer", job)
	}
	n := func(p *int32) int32 { return aws.ToInt32(p) }
	pd := j.Job.JobProcessDetails
	if pd == nil {
		pd = &iottypes.JobProcessDetails{}
	}
	counts := fmt.Sprintf("%d succeeded, %d failed, %d timed out, %d rejected, %d in progress, %d queued",
		n(pd.NumberOfSucceededThings), n(pd.NumberOfFailedThings), n(pd.NumberOfTimedOutThings), n(pd.NumberOfRejectedThings),
		n(pd.NumberOfInProgressThings), n(pd.NumberOfQueuedThings))
	switch j.Job.Status {
	case iottypes.JobStatusCanceled, iottypes.JobStatusDeletionInProgress:
		why := ""
		if r := aws.ToString(j.Job.ReasonCode); r != "" {
			why = " (" + r + ")"
		}
		return false, fmt.Sprintf("stopped: its IoT job %s is %s%s: %s", job, j.Job.Status, why, counts), nil
	}
	// Any device that failed, timed out or rejected the release fails the
	// canary, whether or not the job's abort criteria (which need a
	// minimum of executed things) fired.
	if n(pd.NumberOfFailedThings)+n(pd.NumberOfTimedOutThings)+n(pd.NumberOfRejectedThings) > 0 {
		return false, fmt.Sprintf("failed: its IoT job %s has %s", job, counts), nil
	}
	if n(pd.NumberOfSucceededThings) > 0 && n(pd.NumberOfInProgressThings)+n(pd.NumberOfQueuedThings) == 0 {
		return true, "", nil
	}
	return false, "", nil
}

// waitStage waits until the canary deployment id succeeded, for at most
// limit (the canary rollout's timeout_minutes: a device still in progress
// after it has timed out). It never cancels the deployment: a release that
// stops leaves the canary as it is, for a person to look at.
func (c *Clients) waitStage(ctx context.Context, edgeTarget, target, id string, limit time.Duration, progress io.Writer) error {
	deadline := time.Now().Add(limit)
	delay := time.Second
	fmt.Fprintf(progress, "Waiting for the canary deployment %s to succeed on %s (at most %s)...\n", id, target, limit)
	for {
		done, failed, err := c.stageOutcome(ctx, id)
		if err != nil {
			return fmt.Errorf("edge_target %q: reading the canary deployment %s: %w", edgeTarget, id, err)
		}
		if failed != "" {
			return &StageError{EdgeTarget: edgeTarget, Deployment: id, Target: target, Status: failed}
		}
		if done {
			fmt.Fprintf(progress, "The canary deployment %s succeeded.\n", id)
			return nil
		}
		if !time.Now().Add(delay).Before(deadline) {
			return &StageError{EdgeTarget: edgeTarget, Deployment: id, Target: target,
				Status: fmt.Sprintf("did not succeed within the canary rollout's timeout (%s): timed out (it is left running; apply again to wait again)", limit)}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("apply interrupted while waiting for the canary deployment %s: %w (run it again: it waits on the same deployment)", id, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}
