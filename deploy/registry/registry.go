// Package registry lists the model package versions a pipeline registered
// and changes their approval: the promotion step between a trained model
// and the fleet (approving a version is what makes the next slm apply ship
// it). It talks to SageMaker, S3 (the evaluation report a version names)
// and STS (who approves) through aws-sdk-go-v2 clients.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// SageMaker is the part of the SageMaker API the registry uses.
type SageMaker interface {
	ListModelPackages(context.Context, *sagemaker.ListModelPackagesInput, ...func(*sagemaker.Options)) (*sagemaker.ListModelPackagesOutput, error)
	DescribeModelPackage(context.Context, *sagemaker.DescribeModelPackageInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error)
	UpdateModelPackage(context.Context, *sagemaker.UpdateModelPackageInput, ...func(*sagemaker.Options)) (*sagemaker.UpdateModelPackageOutput, error)
}

// S3 reads evaluation reports.
type S3 interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// STS says who is calling.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Registry reads and changes model packages.
type Registry struct {
	SageMaker SageMaker
	S3        S3
	STS       STS
	// Region completes "group/N" references into ARNs.
	Region string
}

// Metadata keys slm writes on a model package (the RegisterModel step sets
// the slm:* lineage keys; Approve and Reject set these).
const (
	KeyDecidedBy = "slm:approval-by"
	KeyReason    = "slm:approval-reason"
	KeyDecided   = "slm:approval-status"
)

// Version is one model package version.
type Version struct {
	Group    string `json:"group"`
	Version  int32  `json:"version"`
	ARN      string `json:"arn"`
	Status   string `json:"status"`
	Created  string `json:"created,omitempty"`
	Approval string `json:"approval_description,omitempty"`
	// Metrics are the evaluation report's headline figures; empty when
	// the report could not be read (MetricsError says why).
	Metrics      map[string]float64 `json:"metrics,omitempty"`
	MetricsError string             `json:"metrics_error,omitempty"`
	// Metadata is the package's customer metadata: lineage (data and code
	// digests) and who decided its approval and why.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Ref names a version: "group/N" or the model package's ARN.
func (v Version) Ref() string { return fmt.Sprintf("%s/%d", v.Group, v.Version) }

// List returns every version of each group, newest first.
func (r *Registry) List(ctx context.Context, groups []string) ([]Version, error) {
	var out []Version
	for _, g := range groups {
		var token *string
		var summaries []smtypes.ModelPackageSummary
		for {
			res, err := r.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(g), NextToken: token})
			if err != nil {
				return nil, fmt.Errorf("listing model package group %s: %w", g, err)
			}
			summaries = append(summaries, res.ModelPackageSummaryList...)
			if token = res.NextToken; token == nil {
				break
			}
		}
		sort.Slice(summaries, func(i, j int) bool {
			return aws.ToInt32(summaries[i].ModelPackageVersion) > aws.ToInt32(summaries[j].ModelPackageVersion)
		})
		for _, s := range summaries {
			v, err := r.describe(ctx, aws.ToString(s.ModelPackageArn))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func (r *Registry) describe(ctx context.Context, arn string) (Version, error) {
	d, err := r.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return Version{}, err
	}
	v := Version{Group: aws.ToString(d.ModelPackageGroupName), Version: aws.ToInt32(d.ModelPackageVersion), ARN: aws.ToString(d.ModelPackageArn),
		Status: string(d.ModelApprovalStatus), Approval: aws.ToString(d.ApprovalDescription), Metadata: d.CustomerMetadataProperties}
	if d.CreationTime != nil {
		v.Created = d.CreationTime.UTC().Format(time.RFC3339)
	}
	if mm := d.ModelMetrics; mm != nil && mm.ModelQuality != nil && mm.ModelQuality.Statistics != nil {
		v.Metrics, err = r.metrics(ctx, aws.ToString(mm.ModelQuality.Statistics.S3Uri))
		if err != nil {
			v.MetricsError = err.Error()
		}
	} else {
		v.MetricsError = "the package names no evaluation report"
	}
	return v, nil
}

// headline are the figures `slm models` shows, as the evaluation report
// (SPEC section 4) holds them.
var headline = []struct{ name, group, key string }{
	{"accuracy", "multiclass_classification_metrics", "accuracy"},
	{"macro_f1", "multiclass_classification_metrics", "macro_f1"},
	{"out_of_scope_recall", "multiclass_classification_metrics", "out_of_scope_recall"},
	{"latency_p95_ms", "latency_metrics", "p95_ms"},
}

func (r *Registry) metrics(ctx context.Context, uri string) (map[string]float64, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return nil, fmt.Errorf("evaluation report %q is not an s3:// URI", uri)
	}
	obj, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("reading the evaluation report %s: %w", uri, err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(io.LimitReader(obj.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the evaluation report %s: %w", uri, err)
	}
	// The report holds other shapes too (confusion matrix, lists); only
	// the headline value fields are read.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("the evaluation report %s is not JSON: %w", uri, err)
	}
	out := map[string]float64{}
	for _, h := range headline {
		var grp map[string]json.RawMessage
		var x struct {
			Value *float64 `json:"value"`
		}
		if json.Unmarshal(raw[h.group], &grp) == nil && json.Unmarshal(grp[h.key], &x) == nil && x.Value != nil {
			out[h.name] = *x.Value
		}
	}
	return out, nil
}

// Decision is an approval change.
type Decision struct {
	// Status is "Approved" or "Rejected".
	Status string
	Reason string
}

// ErrNotFound and ErrAlreadyDecided are the refusals a person can fix.
var (
	ErrNotFound       = errors.New("no such model package version")
	ErrAlreadyDecided = errors.New("the version already has that status")
)

// Decide sets a version's approval status, recording in its metadata who
// (the caller's ARN) and why. ref is "group/N" or the package's ARN; the
// registry's region and the caller's account complete "group/N" into an ARN.
func (r *Registry) Decide(ctx context.Context, ref string, d Decision) (Version, error) {
	if d.Status != string(smtypes.ModelApprovalStatusApproved) && d.Status != string(smtypes.ModelApprovalStatusRejected) {
		return Version{}, fmt.Errorf("approval status %q: want Approved or Rejected", d.Status)
	}
	if strings.TrimSpace(d.Reason) == "" {
		return Version{}, errors.New("a reason is required: it is recorded with the decision (--reason)")
	}
	id, err := r.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Version{}, fmt.Errorf("finding who is deciding (sts:GetCallerIdentity): %w", err)
	}
	partition := "aws"
	if p := strings.Split(aws.ToString(id.Arn), ":"); len(p) > 1 && p[1] != "" {
		partition = p[1]
	}
	arn, err := packageARN(ref, partition, r.Region, aws.ToString(id.Account))
	if err != nil {
		return Version{}, err
	}
	v, err := r.describe(ctx, arn)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "ValidationException" || apiErr.ErrorCode() == "ResourceNotFound") {
		return Version{}, fmt.Errorf("%w: %s (%s); slm models DIR --var-file F lists the versions", ErrNotFound, ref, arn)
	}
	if err != nil {
		return Version{}, fmt.Errorf("reading model package %s: %w", ref, err)
	}
	if v.Status == d.Status {
		by := ""
		if v.Metadata[KeyDecidedBy] != "" {
			by = fmt.Sprintf(" (by %s: %q)", v.Metadata[KeyDecidedBy], v.Metadata[KeyReason])
		}
		return v, fmt.Errorf("%w: %s is already %s%s", ErrAlreadyDecided, v.Ref(), v.Status, by)
	}
	who := aws.ToString(id.Arn)
	// The whole map, lineage included: SageMaker adds and replaces keys,
	// and some emulators replace the map, which must not lose the lineage.
	meta := map[string]string{}
	for k, x := range v.Metadata {
		meta[k] = x
	}
	meta[KeyDecidedBy], meta[KeyReason], meta[KeyDecided] = truncate(who, 256), truncate(d.Reason, 256), d.Status
	_, err = r.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{
		ModelPackageArn:            aws.String(v.ARN),
		ModelApprovalStatus:        smtypes.ModelApprovalStatus(d.Status),
		ApprovalDescription:        aws.String(truncate(d.Reason+" ("+who+")", 1024)),
		CustomerMetadataProperties: meta,
	})
	if err != nil {
		return v, fmt.Errorf("updating model package %s (sagemaker:UpdateModelPackage): %w", v.Ref(), err)
	}
	return r.describe(ctx, v.ARN)
}

// packageARN turns "group/N" into the model package's ARN; an ARN is
// returned as it is.
func packageARN(ref, partition, region, account string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		return ref, nil
	}
	group, n, ok := strings.Cut(ref, "/")
	if _, err := strconv.Atoi(n); !ok || group == "" || err != nil {
		return "", fmt.Errorf("%q names no model package version: give GROUP/VERSION (e.g. slm-dev-intent-classifier/3) or the package's ARN", ref)
	}
	if region == "" {
		return "", fmt.Errorf("no region for %s: set AWS_REGION, pass --region, or give the package's ARN", ref)
	}
	return fmt.Sprintf("arn:%s:sagemaker:%s:%s:model-package/%s/%s", partition, region, account, strings.ToLower(group), n), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// New returns a Registry with real clients for cfg in region.
func New(cfg aws.Config, region string) *Registry {
	cfg = cfg.Copy()
	cfg.Region = region
	return &Registry{SageMaker: sagemaker.NewFromConfig(cfg), S3: s3.NewFromConfig(cfg), STS: sts.NewFromConfig(cfg), Region: region}
}
