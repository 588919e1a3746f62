package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/slm-project/slm/internal/awstest"
)

// TestModelsApproveReject registers two versions in moto as the pipeline's
// RegisterModel step would (evaluation report in S3, lineage metadata),
// lists them with slm models, approves and rejects them, and checks the
// refusals: a version that does not exist, one already approved, no reason.
func TestModelsApproveReject(t *testing.T) {
	ctx := context.Background()
	awstest.SetEnv(t)
	cfg := awstest.Config(t)
	s3c, sm := s3.NewFromConfig(cfg), sagemaker.NewFromConfig(cfg)
	const group, bucket = "slm-dev-intent-classifier", "slm-model-artifacts-dev-acme"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
		t.Fatal(err)
	}
	report := `{"multiclass_classification_metrics": {"accuracy": {"value": 0.954, "standard_deviation": "NaN"}, "macro_f1": {"value": 0.95},
	  "out_of_scope_recall": {"value": 0.62}, "confusion_matrix": {"a": {"a": 3}}}, "latency_metrics": {"p95_ms": {"value": 4.2}}, "examples": 10}`
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("run1/evaluation.json"), Body: strings.NewReader(report)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.CreateModelPackageGroup(ctx, &sagemaker.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"s3://" + bucket + "/run1/evaluation.json", "s3://" + bucket + "/absent/evaluation.json"} {
		if _, err := sm.CreateModelPackage(ctx, &sagemaker.CreateModelPackageInput{
			ModelPackageGroupName: aws.String(group),
			ModelApprovalStatus:   smtypes.ModelApprovalStatusPendingManualApproval,
			InferenceSpecification: &smtypes.InferenceSpecification{
				Containers:                 []smtypes.ModelPackageContainerDefinition{{Image: aws.String("123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"), ModelDataUrl: aws.String("s3://" + bucket + "/model.tar.gz")}},
				SupportedContentTypes:      []string{"application/json"},
				SupportedResponseMIMETypes: []string{"application/json"},
			},
			ModelMetrics:               &smtypes.ModelMetrics{ModelQuality: &smtypes.ModelQuality{Statistics: &smtypes.MetricsSource{ContentType: aws.String("application/json"), S3Uri: aws.String(uri)}}},
			CustomerMetadataProperties: map[string]string{"slm:dataset-sha256": "d474", "slm:config-sha256": "c0f1", "slm:training-code": "s3://b/code/aa/train.tar.gz"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	vars := []string{"--var-file", example + "/envs/dev.slmvars.hcl", "--var", "account_id=" + awstest.AccountID}

	code, stdout, stderr := runCLI(t, append([]string{"models", example}, vars...)...)
	if code != 0 {
		t.Fatalf("models: exit %d: %s", code, stderr)
	}
	for _, w := range []string{
		"Model package group " + group + " (region eu-west-1): 2 versions",
		group + "/2  PendingManualApproval", group + "/1  PendingManualApproval",
		"metrics: accuracy 0.954, latency_p95_ms 4.2, macro_f1 0.95, out_of_scope_recall 0.62",
		"metrics: unavailable (reading the evaluation report s3://" + bucket + "/absent/evaluation.json",
		"from: data d474; configuration c0f1; training code s3://b/code/aa/train.tar.gz",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("models lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Index(stdout, group+"/2") > strings.Index(stdout, group+"/1") {
		t.Error("versions are not newest first")
	}

	code, stdout, stderr = runCLI(t, "approve", group+"/1", "--reason", "beats v0 on out-of-scope recall")
	if code != 0 || !strings.Contains(stdout, group+"/1 is now Approved.") {
		t.Fatalf("approve: exit %d: %s%s", code, stdout, stderr)
	}
	d, err := sm.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String("arn:aws:sagemaker:" + awstest.Region + ":" + awstest.AccountID + ":model-package/" + group + "/1")})
	if err != nil {
		t.Fatal(err)
	}
	if d.ModelApprovalStatus != smtypes.ModelApprovalStatusApproved || d.CustomerMetadataProperties["slm:approval-reason"] != "beats v0 on out-of-scope recall" ||
		!strings.HasPrefix(d.CustomerMetadataProperties["slm:approval-by"], "arn:aws:") || d.CustomerMetadataProperties["slm:dataset-sha256"] != "d474" {
		t.Errorf("after approve: status %s, metadata %v", d.ModelApprovalStatus, d.CustomerMetadataProperties)
	}

	code, stdout, stderr = runCLI(t, "reject", group+"/2", "--reason", "latency regression")
	if code != 0 || !strings.Contains(stdout, group+"/2 is now Rejected.") {
		t.Errorf("reject: exit %d: %s%s", code, stdout, stderr)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"approve", group + "/1", "--reason", "again"}, group + "/1 is already Approved (by arn:aws:"},
		{[]string{"approve", group + "/9", "--reason", "x"}, "no such model package version: " + group + "/9"},
		{[]string{"approve", group + "/2"}, "a reason is required"},
		{[]string{"approve", "intent-v3", "--reason", "x"}, `"intent-v3" names no model package version`},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}

	code, stdout, _ = runCLI(t, append([]string{"models", "--json", example}, vars...)...)
	var vs []struct {
		Version  int32
		Status   string
		Metadata map[string]string
	}
	if err := json.Unmarshal([]byte(stdout), &vs); err != nil || code != 0 || len(vs) != 2 || vs[0].Status != "Rejected" || vs[1].Status != "Approved" ||
		vs[0].Metadata["slm:approval-reason"] != "latency regression" {
		t.Errorf("models --json: exit %d, %v: %s", code, err, stdout)
	}
}
