package awsdeploy

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Start starts an execution of the pipeline, of exactly the version apply
// made when the service said which (PipelineVersionId; moto does not).
func (c *Clients) Start(ctx context.Context, pipeline string, version int64, params map[string]string) (string, error) {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	in := &sagemaker.StartPipelineExecutionInput{PipelineName: aws.String(pipeline)}
	for _, k := range names {
		in.PipelineParameters = append(in.PipelineParameters, smtypes.Parameter{Name: aws.String(k), Value: aws.String(params[k])})
	}
	if version > 0 {
		in.PipelineVersionId = aws.Int64(version)
	}
	out, err := c.SageMaker.StartPipelineExecution(ctx, in)
	if err != nil {
		return "", explain(err, "sagemaker:StartPipelineExecution", pipeline)
	}
	return aws.ToString(out.PipelineExecutionArn), nil
}

// Wait follows an execution until it ends, printing each step's status as
// it changes, and returns the final status.
func (c *Clients) Wait(ctx context.Context, arn string, w io.Writer) (string, error) {
	seen := map[string]string{}
	for {
		out, err := c.SageMaker.DescribePipelineExecution(ctx, &sagemaker.DescribePipelineExecutionInput{PipelineExecutionArn: aws.String(arn)})
		if err != nil {
			return "", explain(err, "sagemaker:DescribePipelineExecution", arn)
		}
		// Step statuses, where the service lists them (moto does not
		// implement ListPipelineExecutionSteps: the execution's status
		// alone is followed then).
		if steps, err := c.SageMaker.ListPipelineExecutionSteps(ctx, &sagemaker.ListPipelineExecutionStepsInput{PipelineExecutionArn: aws.String(arn)}); err == nil {
			for i := len(steps.PipelineExecutionSteps) - 1; i >= 0; i-- {
				s := steps.PipelineExecutionSteps[i]
				name, st := aws.ToString(s.StepName), string(s.StepStatus)
				if seen[name] != st {
					seen[name] = st
					line := fmt.Sprintf("  %s: %s", name, st)
					if r := aws.ToString(s.FailureReason); r != "" {
						line += " (" + r + ")"
					}
					fmt.Fprintln(w, line)
				}
			}
		}
		switch st := out.PipelineExecutionStatus; st {
		case smtypes.PipelineExecutionStatusSucceeded, smtypes.PipelineExecutionStatusFailed, smtypes.PipelineExecutionStatusStopped:
			fmt.Fprintf(w, "Execution %s: %s\n", arn, st)
			if r := aws.ToString(out.FailureReason); r != "" {
				fmt.Fprintf(w, "  %s\n", r)
			}
			return string(st), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(15 * time.Second):
		}
	}
}
