package baseline

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// AWS reads the registry and S3 with the SDK's default credentials (the
// processing job's execution role); AWS_ENDPOINT_URL points it elsewhere.
type AWS struct {
	SageMaker *sagemaker.Client
	S3        *s3.Client
}

// NewAWS loads the default configuration for region.
func NewAWS(ctx context.Context, region string) (*AWS, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return &AWS{SageMaker: sagemaker.NewFromConfig(cfg), S3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })}, nil
}

// LatestApproved lists the group's approved packages, newest first, and
// describes the first.
func (a *AWS) LatestApproved(ctx context.Context, group string) (string, string, bool, error) {
	out, err := a.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{
		ModelPackageGroupName: aws.String(group),
		ModelApprovalStatus:   types.ModelApprovalStatusApproved,
		SortBy:                types.ModelPackageSortByCreationTime,
		SortOrder:             types.SortOrderDescending,
		MaxResults:            aws.Int32(1),
	})
	if err != nil {
		return "", "", false, err
	}
	if len(out.ModelPackageSummaryList) == 0 {
		return "", "", false, nil
	}
	arn := aws.ToString(out.ModelPackageSummaryList[0].ModelPackageArn)
	d, err := a.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return "", "", false, err
	}
	uri := ""
	if m := d.ModelMetrics; m != nil && m.ModelQuality != nil && m.ModelQuality.Statistics != nil {
		uri = aws.ToString(m.ModelQuality.Statistics.S3Uri)
	}
	return arn, uri, true, nil
}

// Read gets an S3 object.
func (a *AWS) Read(ctx context.Context, uri string) ([]byte, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%q is not an s3:// URI", uri)
	}
	out, err := a.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, 64<<20))
}
