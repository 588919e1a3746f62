package awsdeploy

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/slm-project/slm/compiler/plan"
)

// Read reads what p's items are deployed as: the caller, the pipeline and
// the uploads' objects.
func (c *Clients) Read(ctx context.Context, p *plan.Plan) (plan.Deployed, error) {
	id, err := c.WhoAmI(ctx)
	if err != nil {
		return plan.Deployed{}, err
	}
	d := plan.Deployed{Account: id.Account, Region: c.Region, CallerARN: id.ARN, Objects: map[string]plan.DeployedObject{}}
	if d.Pipeline, err = c.Pipeline(ctx, p.Target.Name); err != nil {
		return plan.Deployed{}, err
	}
	for _, u := range p.Uploads {
		o, err := c.Object(ctx, u.URI)
		if err != nil {
			return plan.Deployed{}, err
		}
		if o != nil {
			d.Objects[u.URI] = *o
		}
	}
	return d, nil
}

// TagPlanSHA256 and TagDefinitionSHA256 tag the pipeline with the plan and
// the definition apply put there.
const (
	TagPlanSHA256       = "slm:plan-sha256"
	TagDefinitionSHA256 = "slm:definition-sha256"
)

// Pipeline describes a pipeline; nil when there is none of that name.
func (c *Clients) Pipeline(ctx context.Context, name string) (*plan.DeployedPipeline, error) {
	out, err := c.SageMaker.DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, explain(err, "sagemaker:DescribePipeline", name)
	}
	dp := &plan.DeployedPipeline{
		Name:       aws.ToString(out.PipelineName),
		ARN:        aws.ToString(out.PipelineArn),
		Definition: []byte(aws.ToString(out.PipelineDefinition)),
		RoleARN:    aws.ToString(out.RoleArn),
		Tags:       map[string]string{},
	}
	tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: out.PipelineArn})
	if err != nil {
		return nil, explain(err, "sagemaker:ListTags", dp.ARN)
	}
	for _, t := range tags.Tags {
		dp.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return dp, nil
}

// Object heads an S3 object; nil when absent. Its SHA-256 checksum is
// returned when S3 has one (slm uploads with one).
func (c *Clients) Object(ctx context.Context, uri string) (*plan.DeployedObject, error) {
	bucket, key, err := splitURI(uri)
	if err != nil {
		return nil, err
	}
	out, err := c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, explain(err, "s3:GetObject (HeadObject)", uri)
	}
	o := &plan.DeployedObject{}
	if s := aws.ToString(out.ChecksumSHA256); s != "" {
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(raw) == 32 {
			o.SHA256 = hex.EncodeToString(raw)
		}
	}
	return o, nil
}

// isNotFound says the thing asked for does not exist: S3's 404 (HeadObject
// has no body, so only the status tells) and SageMaker's ResourceNotFound
// (which moto, like SageMaker for a missing pipeline, may send as a
// ValidationException naming it).
func isNotFound(err error) bool {
	var nf *smtypes.ResourceNotFound
	if errors.As(err, &nf) {
		return true
	}
	var nk *s3types.NoSuchKey
	var nf2 *s3types.NotFound
	if errors.As(err, &nk) || errors.As(err, &nf2) {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket" {
			return false
		}
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" && (strings.Contains(ae.ErrorMessage(), "does not exist") || strings.Contains(ae.ErrorMessage(), "not found") || strings.Contains(ae.ErrorMessage(), "Could not find")) {
		return true
	}
	return false
}
