package awsdeploy

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// TestExplain: AWS errors become messages that say what to do: access
// denied names the action and the resource; a missing bucket names the
// Terraform output; anything else keeps the action and resource.
func TestExplain(t *testing.T) {
	tests := []struct {
		code string
		want []string
	}{
		{"AccessDenied", []string{"access denied: the credentials may not s3:PutObject on s3://b/k", "grant it"}},
		{"AccessDeniedException", []string{"access denied: the credentials may not s3:PutObject on s3://b/k"}},
		{"NoSuchBucket", []string{"the bucket does not exist", "terraform apply", `output "buckets"`}},
		{"ExpiredToken", []string{"credentials have expired"}},
		{"InternalError", []string{"s3:PutObject on s3://b/k: api error InternalError"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := explain(&smithy.GenericAPIError{Code: tt.code, Message: "m"}, "s3:PutObject", "s3://b/k")
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Error("the AWS error is not wrapped")
			}
		})
	}
}
