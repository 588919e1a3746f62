package awsdeploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// ModelPackage is a registered model the edge release ships.
type ModelPackage struct {
	Group   string
	Version int32
	ARN     string
	Status  string
	// ModelDataURL is the training job's model.tar.gz (bundle/ and
	// bundle-int8/, SPEC section 3).
	ModelDataURL string
	// Metrics are the evaluation report's headline figures, by name.
	Metrics map[string]float64
	// Gates are the gates the package passed, as its RegisterModel step
	// recorded them (CustomerMetadataProperties "slm:gates", sorted); nil
	// when the package has no such record (registered by hand).
	Gates []string
}

// MetadataGates is the CustomerMetadataProperties key under which the
// pipeline's RegisterModel step records the gates a package passed
// (backends/sagemaker), comma-separated gate names.
const MetadataGates = "slm:gates"

// MissingGates are the gates of want that the package's record lacks, in
// want's order; every gate is missing from a package with no record.
func (m *ModelPackage) MissingGates(want []string) []string {
	var out []string
	for _, g := range want {
		found := false
		for _, h := range m.Gates {
			found = found || h == g
		}
		if !found {
			out = append(out, g)
		}
	}
	return out
}

// ModelPackage finds the model package the edge release of group ships:
// version when it is not 0, else the latest Approved one. nil when there is
// none.
func (c *Clients) ModelPackage(ctx context.Context, group string, version int32) (*ModelPackage, error) {
	in := &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(group), SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderDescending}
	if version == 0 {
		in.ModelApprovalStatus = smtypes.ModelApprovalStatusApproved
	}
	var found []smtypes.ModelPackageSummary
	for p := sagemaker.NewListModelPackagesPaginator(c.SageMaker, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, explain(err, "sagemaker:ListModelPackages", group)
		}
		found = append(found, out.ModelPackageSummaryList...)
	}
	// Newest version first, whatever order the service listed them in.
	sort.SliceStable(found, func(i, j int) bool {
		return aws.ToInt32(found[i].ModelPackageVersion) > aws.ToInt32(found[j].ModelPackageVersion)
	})
	var pick *smtypes.ModelPackageSummary
	for i := range found {
		if version == 0 || aws.ToInt32(found[i].ModelPackageVersion) == version {
			pick = &found[i]
			break
		}
	}
	if pick == nil {
		return nil, nil
	}
	d, err := c.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: pick.ModelPackageArn})
	if err != nil {
		return nil, explain(err, "sagemaker:DescribeModelPackage", aws.ToString(pick.ModelPackageArn))
	}
	mp := &ModelPackage{Group: group, Version: aws.ToInt32(d.ModelPackageVersion), ARN: aws.ToString(d.ModelPackageArn), Status: string(d.ModelApprovalStatus), Metrics: map[string]float64{}}
	if d.InferenceSpecification == nil || len(d.InferenceSpecification.Containers) == 0 || aws.ToString(d.InferenceSpecification.Containers[0].ModelDataUrl) == "" {
		return nil, fmt.Errorf("model package %s has no model data (InferenceSpecification.Containers[0].ModelDataUrl)", mp.ARN)
	}
	mp.ModelDataURL = aws.ToString(d.InferenceSpecification.Containers[0].ModelDataUrl)
	if g, ok := d.CustomerMetadataProperties[MetadataGates]; ok {
		mp.Gates = []string{}
		for _, name := range strings.Split(g, ",") {
			if name = strings.TrimSpace(name); name != "" {
				mp.Gates = append(mp.Gates, name)
			}
		}
		sort.Strings(mp.Gates)
	}
	if m := d.ModelMetrics; m != nil && m.ModelQuality != nil && m.ModelQuality.Statistics != nil {
		uri := aws.ToString(m.ModelQuality.Statistics.S3Uri)
		b, err := c.Fetch(ctx, uri)
		if err != nil {
			return nil, fmt.Errorf("model package %s: reading its evaluation report: %w", mp.ARN, err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("model package %s: its evaluation report %s is not JSON: %w", mp.ARN, uri, err)
		}
		// The headline figures: {"value": x} entries of the two metric
		// sections (SPEC section 4); the confusion matrix and the rest are
		// left out.
		for _, k := range []string{"multiclass_classification_metrics", "latency_metrics"} {
			var sec map[string]json.RawMessage
			if json.Unmarshal(raw[k], &sec) != nil {
				continue
			}
			for name, v := range sec {
				var x struct {
					Value *float64 `json:"value"`
				}
				if json.Unmarshal(v, &x) == nil && x.Value != nil {
					mp.Metrics[name] = *x.Value
				}
			}
		}
	}
	return mp, nil
}

// Fetch reads an S3 object whole.
func (c *Clients) Fetch(ctx context.Context, uri string) ([]byte, error) {
	bucket, key, err := splitURI(uri)
	if err != nil {
		return nil, err
	}
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, explain(err, "s3:GetObject", uri)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", uri, err)
	}
	return b, nil
}
