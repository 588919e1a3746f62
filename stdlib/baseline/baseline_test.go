package baseline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/slm-project/slm/internal/awstest"
)

// motoServer points the SDK's default configuration at the tests' moto
// server (internal/awstest), emptied for this test.
func motoServer(t *testing.T) {
	t.Helper()
	awstest.SetEnv(t)
}

// TestBaselineAgainstTheRegistry: with no approved package the first model
// passes explicitly (found=false, open bounds); once one is approved, the
// bounds are its evaluation report's metrics plus each delta, read through
// the real SageMaker and S3 clients.
func TestBaselineAgainstTheRegistry(t *testing.T) {
	motoServer(t)
	ctx := context.Background()
	reg, err := NewAWS(ctx, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{ModelPackageGroup: "intents", Metrics: []Metric{
		{Name: "accuracy", JSONPath: "multiclass_classification_metrics.accuracy.value", HigherBetter: true, Delta: -0.005},
		{Name: "latency_p95_ms", JSONPath: "latency_metrics.p95_ms.value", Delta: 2},
	}}
	if _, err := reg.SageMaker.CreateModelPackageGroup(ctx, &sagemaker.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("intents")}); err != nil {
		t.Fatal(err)
	}

	first, err := Run(ctx, cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if first.Found || first.Bounds["accuracy"] != openMin || first.Bounds["latency_p95_ms"] != openMax {
		t.Fatalf("no approved model: %+v, want found=false and open bounds", first)
	}

	if _, err := reg.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reports"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	report := `{"multiclass_classification_metrics": {"accuracy": {"value": 0.94}}, "latency_metrics": {"p95_ms": {"value": 7.5}}}`
	if _, err := reg.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("reports"), Key: aws.String("run1/evaluation.json"), Body: strings.NewReader(report)}); err != nil {
		t.Fatal(err)
	}
	for i, status := range []types.ModelApprovalStatus{types.ModelApprovalStatusApproved, types.ModelApprovalStatusPendingManualApproval} {
		uri := "s3://reports/run1/evaluation.json"
		if i == 1 {
			uri = "s3://reports/run2/missing.json" // newer, but not approved: not the champion
		}
		_, err := reg.SageMaker.CreateModelPackage(ctx, &sagemaker.CreateModelPackageInput{
			ModelPackageGroupName: aws.String("intents"),
			ModelApprovalStatus:   status,
			InferenceSpecification: &types.InferenceSpecification{
				Containers:                 []types.ModelPackageContainerDefinition{{Image: aws.String("123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"), ModelDataUrl: aws.String("s3://reports/model.tar.gz")}},
				SupportedContentTypes:      []string{"application/json"},
				SupportedResponseMIMETypes: []string{"application/json"},
			},
			ModelMetrics: &types.ModelMetrics{ModelQuality: &types.ModelQuality{Statistics: &types.MetricsSource{ContentType: aws.String("application/json"), S3Uri: aws.String(uri)}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := Run(ctx, cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Found || !strings.Contains(got.ModelPackageArn, "intents/1") {
		t.Fatalf("approved model: %+v", got)
	}
	if d := got.Bounds["accuracy"] - 0.935; d > 1e-9 || d < -1e-9 || got.Bounds["latency_p95_ms"] != 9.5 {
		t.Errorf("bounds %v, want accuracy 0.935 and latency 9.5", got.Bounds)
	}
	dir := t.TempDir()
	if err := Write(dir, got); err != nil {
		t.Fatal(err)
	}
	var back Result
	b, _ := os.ReadFile(filepath.Join(dir, "baseline.json"))
	if err := json.Unmarshal(b, &back); err != nil || !back.Found {
		t.Errorf("baseline.json %s: %v", b, err)
	}
}
