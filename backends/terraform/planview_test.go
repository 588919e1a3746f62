package terraform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/terraform/exampleir"
)

// TestPlanViewInstances checks the plan lists instances, not blocks: dev has
// no alert address, so no subscription; prod has two, so two.
func TestPlanViewInstances(t *testing.T) {
	for env, want := range map[string][]string{
		"dev":  nil,
		"prod": {`aws_sns_topic_subscription.alarms_email["ml-platform@example.com"]`, `aws_sns_topic_subscription.alarms_email["oncall@example.com"]`},
	} {
		rs, err := Plan(exampleir.Compile(t, env), Inputs{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			if r.Type == "aws_sns_topic_subscription" {
				got = append(got, r.Address())
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s subscriptions (-want +got):\n%s", env, diff)
		}
	}
}

// TestPlanViewPolicyStatements checks a policy document shows its statements:
// effect, actions, resources, principals and conditions.
func TestPlanViewPolicyStatements(t *testing.T) {
	rs, err := Plan(exampleir.Compile(t, "dev"), Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]string{}
	for _, r := range rs {
		details[r.Address()] = strings.Join(r.Details(), "\n")
	}
	for addr, want := range map[string]string{
		"data.aws_iam_policy_document.sagemaker_trust": "statement SageMakerAssumes: Allow sts:AssumeRole\n" +
			"  principal Service: sagemaker.amazonaws.com\n" +
			"  when: StringEquals aws:SourceAccount = local.account_id",
		"data.aws_iam_policy_document.bucket_edge": "statement DenyInsecureTransport: Deny s3:*\n" +
			"  on: aws_s3_bucket.edge.arn, ${aws_s3_bucket.edge.arn}/*\n" +
			"  principal *: *\n" +
			"  when: Bool aws:SecureTransport = false",
	} {
		if got := details[addr]; got != want {
			t.Errorf("%s details:\n%s\nwant:\n%s", addr, got, want)
		}
	}
	ci := details["data.aws_iam_policy_document.ci"]
	for _, w := range []string{"statement UploadArtifacts: Allow s3:GetObject, s3:PutObject", "statement CreateKey: Allow kms:CreateKey\n  on: *"} {
		if !strings.Contains(ci, w) {
			t.Errorf("the CI policy's details lack %q:\n%s", w, ci)
		}
	}
}
