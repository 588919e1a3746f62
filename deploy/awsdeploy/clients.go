// Package awsdeploy reads what is deployed from AWS and applies plans to
// it, with aws-sdk-go-v2's real clients: the default credential chain
// (environment, profiles, SSO, web identity as GitHub's OIDC gives it), the
// project's region, and endpoints configured the SDK's standard way
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so moto or any emulator
// works without a flag of slm's. There is no state file: AWS is the state.
package awsdeploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// S3API is the part of S3 slm uses.
type S3API interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// SageMakerAPI is the part of SageMaker slm uses.
type SageMakerAPI interface {
	DescribePipeline(context.Context, *sagemaker.DescribePipelineInput, ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineOutput, error)
	CreatePipeline(context.Context, *sagemaker.CreatePipelineInput, ...func(*sagemaker.Options)) (*sagemaker.CreatePipelineOutput, error)
	UpdatePipeline(context.Context, *sagemaker.UpdatePipelineInput, ...func(*sagemaker.Options)) (*sagemaker.UpdatePipelineOutput, error)
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	AddTags(context.Context, *sagemaker.AddTagsInput, ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	StartPipelineExecution(context.Context, *sagemaker.StartPipelineExecutionInput, ...func(*sagemaker.Options)) (*sagemaker.StartPipelineExecutionOutput, error)
	DescribePipelineExecution(context.Context, *sagemaker.DescribePipelineExecutionInput, ...func(*sagemaker.Options)) (*sagemaker.DescribePipelineExecutionOutput, error)
	ListPipelineExecutionSteps(context.Context, *sagemaker.ListPipelineExecutionStepsInput, ...func(*sagemaker.Options)) (*sagemaker.ListPipelineExecutionStepsOutput, error)
}

// STSAPI tells who the credentials are.
type STSAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Clients are the AWS clients of one account and region.
type Clients struct {
	Region    string
	S3        S3API
	SageMaker SageMakerAPI
	STS       STSAPI
}

// NewClients builds clients from cfg (its region is replaced by region).
func NewClients(cfg aws.Config, region string) *Clients {
	cfg = cfg.Copy()
	cfg.Region = region
	return &Clients{
		Region:    region,
		S3:        s3.NewFromConfig(cfg),
		SageMaker: sagemaker.NewFromConfig(cfg),
		STS:       sts.NewFromConfig(cfg),
	}
}

// ErrNoCredentials is returned when the default chain finds none.
var ErrNoCredentials = errors.New(`no AWS credentials were found. slm plan reads what is deployed, as terraform plan does: ` +
	`set AWS_PROFILE (aws sso login for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or in GitHub Actions ` +
	`assume a role with aws-actions/configure-aws-credentials; or pass --offline to plan without reading AWS ` +
	`(every item then shows as a create)`)

// LoadClients loads the SDK's default configuration (credential chain,
// endpoints, retries) for the project's region and checks that there are
// credentials.
func LoadClients(ctx context.Context, region string) (*Clients, error) {
	// The SDK logs credential-chain fallbacks (IMDS) as warnings; the error
	// below says what to do instead.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("%w\n(the SDK said: %v)", ErrNoCredentials, err)
	}
	return NewClients(cfg, region), nil
}

// Identity is who the credentials are.
type Identity struct {
	Account string
	ARN     string
}

// WhoAmI asks STS.
func (c *Clients) WhoAmI(ctx context.Context) (Identity, error) {
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, explain(err, "sts:GetCallerIdentity", "*")
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// explain turns an AWS error into one a user can act on: access denied
// names the action and resource.
func explain(err error, action, resource string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch code := ae.ErrorCode(); {
		case code == "AccessDenied" || code == "AccessDeniedException" || code == "Forbidden" || code == "UnauthorizedOperation":
			return fmt.Errorf("access denied: the credentials may not %s on %s; grant it to the role slm runs as (the Terraform's ci role has it): %w", action, resource, err)
		case code == "NoSuchBucket":
			return fmt.Errorf("%s on %s: the bucket does not exist. The estate is not applied yet: run terraform apply on the plan's terraform/ directory (its output \"buckets\" names the buckets): %w", action, resource, err)
		case strings.Contains(code, "ExpiredToken"):
			return fmt.Errorf("%s: the AWS credentials have expired; log in again (aws sso login): %w", action, err)
		}
	}
	return fmt.Errorf("%s on %s: %w", action, resource, err)
}

// splitURI splits s3://bucket/key.
func splitURI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URI", uri)
	}
	bucket, key, ok = strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fmt.Errorf("%q names no object", uri)
	}
	return bucket, key, nil
}
