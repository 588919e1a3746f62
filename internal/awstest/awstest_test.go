package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestConfig talks to moto through the real clients: the caller identity is
// moto's default account, and Config's reset empties what a previous test
// created.
func TestConfig(t *testing.T) {
	ctx := context.Background()
	cfg := Config(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(id.Account); got != AccountID {
		t.Errorf("account = %q, want %q", got, AccountID)
	}
	s3c := s3.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("awstest-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(Region)},
	}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	Reset(t)
	out, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("after Reset, %d buckets remain", len(out.Buckets))
	}
}
