// Package compiler turns a decoded configuration and its variable values into
// the typed IR: it evaluates every attribute, checks values against AWS and
// SageMaker rules, resolves references between blocks, builds the step DAG
// and refuses releases that no quality gate guards.
package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// Source is one configuration file's name and bytes, for the source digest.
type Source struct {
	Name  string
	Bytes []byte
}

// Compile builds the IR. With unknown variable values (validate) it checks
// everything that does not depend on them; the returned pipeline is then
// incomplete and must not reach a backend.
func Compile(scope *lang.Scope, sources []Source, opts Options) (*ir.Pipeline, hcl.Diagnostics) {
	cfg := scope.Config()
	c := &compilation{
		cfg:  cfg,
		opts: opts,
		ev: &evaluator{scope: scope, params: map[string]string{}, ptypes: map[string]ir.ParamType{}, blockNames: map[string][]string{
			lang.BlockStorage: sorted(cfg.Storage), lang.BlockDataset: sorted(cfg.Datasets), lang.BlockPrepare: sorted(cfg.Prepares),
			lang.BlockFineTune: sorted(cfg.FineTunes), lang.BlockEvaluate: sorted(cfg.Evaluations), lang.BlockGate: sorted(cfg.Gates),
			lang.BlockRegister: sorted(cfg.Registers), lang.BlockEdgeTarget: sorted(cfg.EdgeTargets),
		}},
		p: &ir.Pipeline{SourceDigest: sourceDigest(sources)},
	}
	c.variables(scope.Variables())
	for _, name := range sorted(scope.Variables()) {
		v := scope.Variables()[name]
		if v.Sensitive && v.Value.IsKnown() && !v.Value.IsNull() && v.Value.Type() == cty.String && len(v.Value.AsString()) >= 4 {
			c.ev.secrets = append(c.ev.secrets, v.Value.AsString())
		}
	}
	c.parameters()
	c.project()
	c.storage()
	c.readAccess()
	c.datasets()
	c.prepares()
	c.finetunes()
	c.evaluations()
	c.gates()
	c.registers()
	c.edgeTargets()
	c.checkS3Access()
	c.chainEdgeGates()
	c.unusedGates()
	c.monitoring()
	if !c.ev.diags.HasErrors() {
		c.steps()
	}
	return c.p, c.ev.diags
}

// Options tune a compilation.
type Options struct {
	// Validate is set when variables are unknown: checks that need a
	// planned pipeline (such as a pinned account) are skipped.
	Validate bool
}

type compilation struct {
	opts Options
	cfg  *lang.Config
	ev   *evaluator
	p    *ir.Pipeline
}

func sourceDigest(sources []Source) string {
	sorted := append([]Source(nil), sources...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	h := sha256.New()
	for _, s := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", s.Name, len(s.Bytes))
		h.Write(s.Bytes)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *compilation) variables(vals map[string]*lang.VariableValue) {
	for _, name := range sorted(vals) {
		v := vals[name]
		display := "(sensitive)"
		if !v.Sensitive {
			display = displayValue(v.Value)
		}
		iv := ir.Variable{Name: name, Display: display, Sensitive: v.Sensitive, Source: v.Source.String()}
		for _, o := range v.Overrode {
			iv.Overrode = append(iv.Overrode, o.String())
		}
		c.p.Variables = append(c.p.Variables, iv)
	}
}

// displayValue writes a value as HCL, the way it would be typed in a file.
func displayValue(v cty.Value) string {
	if !v.IsWhollyKnown() {
		return "(known after values are given)"
	}
	v, _ = v.UnmarkDeep()
	return strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes()))
}

func (c *compilation) parameters() {
	for _, name := range sorted(c.cfg.Parameters) {
		p := c.cfg.Parameters[name]
		ty, smType, diags := lang.ParamType(p)
		c.ev.add(diags...)
		ip := ir.Parameter{Name: name, SageMaker: camel(name), Type: ir.ParamType(smType), Range: p.DeclRange}
		for other, sm := range c.ev.params {
			if sm == ip.SageMaker {
				c.ev.errorf(p.DeclRange, "Parameter names collide", "parameter %q and parameter %q both become the SageMaker parameter %q (names are turned into CamelCase); rename one.", other, name, sm)
			}
		}
		c.ev.params[name] = ip.SageMaker
		c.ev.ptypes[ip.SageMaker] = ip.Type
		if !isAbsent(p.Body.Default) && smType != "" {
			v, ok := c.ev.value(p.Body.Default, ty, "a parameter default")
			if ok {
				lit := literal(v).Literal
				if ip.Type == ir.ParamFloat {
					switch x := lit.(type) {
					case int64:
						lit = float64(x)
					}
				}
				if ip.Type == ir.ParamInteger {
					if _, isInt := lit.(int64); !isInt {
						c.ev.errorf(p.Body.Default.Range(), "Invalid parameter default", "The default of an integer parameter must be a whole number.")
					}
				}
				ip.Default = lit
			}
		}
		if enum, ok := c.ev.strings(p.Body.Enum, "a parameter's enum"); ok {
			if ip.Type != ir.ParamString {
				c.ev.errorf(p.Body.Enum.Range(), "Enum on a non-string parameter", "Only string parameters can list allowed values.")
			}
			ip.Enum = enum
			if d, isStr := ip.Default.(string); isStr && !contains(enum, d) {
				c.ev.errorf(p.Body.Default.Range(), "Default not in enum", "The default %q is not one of the allowed values %s.", d, strings.Join(enum, ", "))
			}
		}
		ip.Description, _ = c.ev.str(p.Body.Description, "a description")
		c.p.Parameters = append(c.p.Parameters, ip)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (c *compilation) project() {
	pr := c.cfg.Project
	if pr == nil {
		return
	}
	b := pr.Body
	p := &c.p.Project
	p.Name, p.Range = pr.Name, pr.DeclRange
	p.Environment = "default"
	if env, ok := c.ev.str(b.Environment, "the project environment"); ok {
		if !pipelineNamePattern.MatchString(env) || len(env) > 32 {
			c.ev.errorf(b.Environment.Range(), "Invalid environment name", "The environment %q must be 1 to 32 letters, digits and hyphens, starting with a letter or digit: it becomes part of AWS resource names.", env)
		}
		p.Environment = env
	}
	if r, ok := c.ev.str(b.Region, "the project region"); ok {
		if !regionPattern.MatchString(r) {
			c.ev.errorf(b.Region.Range(), "Invalid AWS region", "%q is not an AWS region name such as \"eu-west-1\".", r)
		} else if _, known := dlcAccounts[r]; !known {
			c.ev.errorf(b.Region.Range(), "Unsupported region", "slm does not know the SageMaker container registry of %q. Supported regions: %s.", r, supportedRegions())
		}
		p.Region = r
	}
	if a, ok := c.ev.str(b.Account, "the project account"); ok {
		if !accountPattern.MatchString(a) {
			c.ev.errorf(b.Account.Range(), "Invalid AWS account id", "An AWS account id is 12 digits; %q is not. Quote it so leading zeros are kept: account = \"012345678901\".", a)
		}
		p.Account = a
	}
	p.Description, _ = c.ev.str(b.Description, "the project description")
	p.Tags = map[string]string{}
	if tags, ok := c.ev.stringMap(b.Tags, "project tags"); ok {
		for k, v := range tags {
			if !tagKeyPattern.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:") || len(v) > 256 {
				c.ev.errorf(b.Tags.Range(), "Invalid tag", "The tag %q=%q is not valid: keys are 1 to 128 letters, digits, spaces and _.:/=+-@, must not start with \"aws:\", and values are at most 256 characters.", k, v)
			}
		}
		p.Tags = tags
	}
	p.MaxParallelSteps = c.ev.intOr(b.MaxParallelSteps, "max_parallel_steps", 1, 256, 0)
	p.PipelineName = pr.Name + "-" + p.Environment
	if !pipelineNamePattern.MatchString(p.PipelineName) {
		c.ev.errorf(pr.DeclRange, "Invalid pipeline name", "The SageMaker pipeline name %q (project name, a hyphen, the environment) must hold only letters, digits and hyphens; rename the project.", p.PipelineName)
	}
	p.ExecutionRoleName = p.PipelineName + "-sagemaker"
	// IAM role names are at most 64 characters; the longest slm derives is
	// <pipeline>-greengrass-tes.
	if longest := p.PipelineName + "-greengrass-tes"; len(longest) > 64 {
		c.ev.errorf(pr.DeclRange, "Name too long", "The IAM role name %q would be longer than IAM's 64 characters; shorten the project or environment name (together at most 48 characters).", longest)
	}
	if isAbsent(b.Account) && !c.opts.Validate {
		c.ev.errorf(pr.DeclRange, "Account needed to plan", "The pipeline definition names its execution role by ARN, which holds the AWS account id: set account = \"123456789012\" in the project block (usually from a variable set per environment). validate works without it.")
	}
	if p.Account != "" {
		p.ExecutionRoleARN = "arn:aws:iam::" + p.Account + ":role/" + p.ExecutionRoleName
	}
	if name, ok := c.ev.ref(b.ArtifactStorage, lang.BlockStorage, exists(c.cfg.Storage), "artifact_storage"); ok {
		p.ArtifactStorage = name
	}
}

func exists[V any](m map[string]V) func(string) bool {
	return func(name string) bool { _, ok := m[name]; return ok }
}

func (c *compilation) storage() {
	for _, name := range sorted(c.cfg.Storage) {
		s := c.cfg.Storage[name]
		b := s.Body
		st := ir.Storage{Name: name, Versioning: true, Encryption: ir.EncryptionS3, Range: s.DeclRange}
		if bucket, ok := c.ev.str(b.Bucket, "a storage bucket"); ok {
			if why := bucketNameProblem(bucket); why != "" {
				c.ev.errorf(b.Bucket.Range(), "Invalid S3 bucket name", "%q is not a valid bucket name: %s.", bucket, why)
			}
			st.Bucket = bucket
		}
		if prefix, ok := c.ev.str(b.Prefix, "a storage prefix"); ok {
			if strings.HasPrefix(prefix, "/") || (prefix != "" && !strings.HasSuffix(prefix, "/")) {
				c.ev.errorf(b.Prefix.Range(), "Invalid S3 prefix", "A prefix is a folder-like key prefix without a leading slash and with a trailing one, such as \"raw/\"; %q is not.", prefix)
			}
			st.Prefix = prefix
		}
		st.URI = lang.S3URI(st.Bucket, st.Prefix)
		st.Versioning = c.ev.boolean(b.Versioning, "versioning", true)
		if enc, ok := c.ev.oneOf(b.Encryption, "encryption", "sse-s3", "sse-kms"); ok && enc == "sse-kms" {
			st.Encryption = ir.EncryptionKMS
		}
		if key, ok := c.ev.str(b.KMSKey, "kms_key"); ok {
			if st.Encryption != ir.EncryptionKMS {
				c.ev.errorf(b.KMSKey.Range(), "KMS key without KMS encryption", "kms_key only applies with encryption = \"sse-kms\".")
			}
			if key == "create" {
				st.CreateKMSKey = true
			} else if !kmsKeyARNPattern.MatchString(key) {
				c.ev.errorf(b.KMSKey.Range(), "Invalid KMS key", "kms_key is \"create\" (slm's Terraform creates a key) or a KMS key or alias ARN; %q is neither.", key)
			} else {
				st.KMSKeyARN = key
			}
		} else if st.Encryption == ir.EncryptionKMS && isAbsent(b.KMSKey) {
			st.CreateKMSKey = true
		}
		st.ForceDestroy = c.ev.boolean(b.ForceDestroy, "force_destroy", false)
		for _, lr := range b.LifecycleRule {
			r := ir.LifecycleRule{Name: lr.Name}
			r.Prefix, _ = c.ev.str(lr.Prefix, "a lifecycle rule prefix")
			r.ExpirationDays = c.ev.intOr(lr.ExpirationDays, "expiration_days", 1, 36500, 0)
			r.NoncurrentVersionExpirationDays = c.ev.intOr(lr.NoncurrentVersionExpirationDays, "noncurrent_version_expiration_days", 1, 36500, 0)
			r.AbortIncompleteMultipartDays = c.ev.intOr(lr.AbortIncompleteMultipartDays, "abort_incomplete_multipart_days", 1, 365, 0)
			for _, t := range lr.Transitions {
				var tr ir.Transition
				tr.Days = c.ev.intOr(t.Days, "transition days", 0, 36500, 0)
				tr.StorageClass, _ = c.ev.oneOf(t.StorageClass, "storage_class",
					"STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
				if (tr.StorageClass == "STANDARD_IA" || tr.StorageClass == "ONEZONE_IA") && tr.Days < 30 && !isAbsent(t.Days) {
					c.ev.errorf(t.Days.Range(), "Transition too early", "S3 moves objects to %s only after at least 30 days.", tr.StorageClass)
				}
				r.Transitions = append(r.Transitions, tr)
			}
			st.Lifecycle = append(st.Lifecycle, r)
		}
		sort.Slice(st.Lifecycle, func(i, j int) bool { return st.Lifecycle[i].Name < st.Lifecycle[j].Name })
		c.p.Storage = append(c.p.Storage, st)
	}
	for i, a := range c.p.Storage {
		conflicted := false
		for _, b := range c.p.Storage[:i] {
			if a.Bucket == "" || a.Bucket != b.Bucket {
				continue
			}
			if strings.HasPrefix(a.Prefix, b.Prefix) || strings.HasPrefix(b.Prefix, a.Prefix) {
				c.ev.errorf(a.Range, "Storage locations overlap", "storage %q (%s) and storage %q (%s) overlap: one lies inside the other, so their lifecycle rules and permissions would mix. Give each location its own bucket or a prefix beside the other's.", b.Name, b.URI, a.Name, a.URI)
			}
			// Versioning and encryption belong to the bucket, not the prefix.
			if !conflicted && (a.Versioning != b.Versioning || a.Encryption != b.Encryption || a.KMSKeyARN != b.KMSKeyARN || a.ForceDestroy != b.ForceDestroy) {
				conflicted = true
				c.ev.errorf(a.Range, "Conflicting bucket settings", "storage %q and storage %q share bucket %q but differ in versioning, encryption, kms_key or force_destroy; those are settings of the whole bucket, so give both the same values.", b.Name, a.Name, a.Bucket)
			}
		}
	}
}

func (c *compilation) datasets() {
	for _, name := range sorted(c.cfg.Datasets) {
		d := c.cfg.Datasets[name]
		b := d.Body
		ds := ir.Dataset{Name: name, TextField: "text", LabelField: "label", Range: d.DeclRange}
		if v, ok := c.ev.runtimeValue(b.Source, cty.String, "A dataset source"); ok {
			if s, isStr := v.Literal.(string); isStr && !v.IsRuntime() && !s3URIPattern.MatchString(s) {
				c.ev.errorf(b.Source.Range(), "Invalid dataset source", "A dataset source is an s3:// URI such as \"s3://slm-intents/raw/\"; %q is not.", s)
			}
			ds.Source = v
		}
		ds.Format, _ = c.ev.oneOf(b.Format, "format", "jsonl", "csv")
		if s, ok := c.ev.str(b.TextField, "text_field"); ok {
			ds.TextField = s
		}
		if s, ok := c.ev.str(b.LabelField, "label_field"); ok {
			ds.LabelField = s
		}
		if ds.TextField == ds.LabelField {
			c.ev.errorf(d.DeclRange, "Same field for text and label", "text_field and label_field must differ; both are %q.", ds.TextField)
		}
		if x := b.Expect; x != nil {
			e := &ds.Expectations
			e.MinRows = c.optInt(x.MinRows, "min_rows", 0, 1<<40)
			e.MaxRows = c.optInt(x.MaxRows, "max_rows", 1, 1<<40)
			if e.MinRows != nil && e.MaxRows != nil && *e.MinRows > *e.MaxRows {
				c.ev.errorf(x.MaxRows.Range(), "Empty row range", "max_rows (%d) is below min_rows (%d).", *e.MaxRows, *e.MinRows)
			}
			if nn, ok := c.ev.strings(x.NotNull, "not_null"); ok {
				for _, f := range nn {
					if f != ds.TextField && f != ds.LabelField {
						c.ev.errorf(x.NotNull.Range(), "Unknown field", "not_null names %q, but the dataset's fields are %q (text) and %q (label).", f, ds.TextField, ds.LabelField)
					}
				}
				e.NotNull = nn
			}
			e.TextMinLength = c.optInt(x.TextMinLength, "text_min_length", 0, 1<<20)
			e.TextMaxLength = c.optInt(x.TextMaxLength, "text_max_length", 1, 1<<20)
			if e.TextMinLength != nil && e.TextMaxLength != nil && *e.TextMinLength > *e.TextMaxLength {
				c.ev.errorf(x.TextMaxLength.Range(), "Empty length range", "text_max_length (%d) is below text_min_length (%d).", *e.TextMaxLength, *e.TextMinLength)
			}
			if labels, ok := c.ev.strings(x.AllowedLabels, "allowed_labels"); ok {
				sort.Strings(labels)
				e.AllowedLabels = labels
			}
			if !isAbsent(x.MaxDuplicateRatio) {
				if r, ok := c.ev.float(x.MaxDuplicateRatio, "max_duplicate_ratio", 0, 1); ok {
					e.MaxDuplicateRatio = &r
				}
			}
			e.MinExamplesPerLabel = c.optInt(x.MinExamplesPerLabel, "min_examples_per_label", 1, 1<<30)
		}
		c.p.Datasets = append(c.p.Datasets, ds)
	}
}

func (c *compilation) optInt(expr hcl.Expression, what string, lo, hi int64) *int64 {
	if isAbsent(expr) {
		return nil
	}
	if i, ok := c.ev.integer(expr, what, lo, hi); ok {
		return &i
	}
	return nil
}

// stepName is the SageMaker step name of a block: Kind-name.
func (c *compilation) stepName(kind, name string, rng hcl.Range) string {
	n := kind + "-" + name
	if len(n) > 64 {
		c.ev.errorf(rng, "Step name too long", "The SageMaker step name %q is longer than 64 characters; shorten the block name.", n)
	}
	return n
}

func (c *compilation) compute(x *lang.Compute, defaultType string, training bool) ir.Compute {
	cp := c.computeBlock(x, defaultType, training)
	if cp.Image == "" && !training && c.p.Project.Region != "" {
		cp.Image, _ = processingImage(c.p.Project.Region)
	}
	return cp
}

func (c *compilation) computeBlock(x *lang.Compute, defaultType string, training bool) ir.Compute {
	cp := ir.Compute{InstanceType: defaultType, InstanceCount: 1, VolumeSizeGB: 30, MaxRuntimeSeconds: 86400}
	if x == nil {
		return cp
	}
	if t, ok := c.ev.str(x.InstanceType, "instance_type"); ok {
		if !instanceTypePattern.MatchString(t) {
			c.ev.errorf(x.InstanceType.Range(), "Invalid instance type", "%q is not a SageMaker instance type; they look like \"ml.m5.xlarge\" or \"ml.g5.2xlarge\" (with the ml. prefix).", t)
		} else if why := instanceProblem(t, training); why != "" {
			c.ev.errorf(x.InstanceType.Range(), "Unknown instance type", "%s", why)
		}
		cp.InstanceType = t
	}
	cp.InstanceCount = c.ev.intOr(x.InstanceCount, "instance_count", 1, 100, 1)
	if cp.InstanceCount > 1 && !training {
		// prepare's global de-duplication and stratified split, and
		// evaluate's single report, are whole-dataset computations: more
		// instances would each run the whole job and write the same outputs.
		c.ev.errorf(x.InstanceCount.Range(), "Step cannot scale out", "This step de-duplicates, splits or measures the whole dataset in one process, so instance_count = %d would run %d copies writing the same outputs. Remove instance_count (scale up with a larger instance_type instead).", cp.InstanceCount, cp.InstanceCount)
	}
	cp.VolumeSizeGB = c.ev.intOr(x.VolumeSizeGB, "volume_size_gb", 1, 16384, 30)
	if !isAbsent(x.MaxRuntime) {
		if s, ok := c.ev.duration(x.MaxRuntime, "max_runtime"); ok {
			if limit := processingMaxRuntime; !training && s > limit {
				c.ev.errorf(x.MaxRuntime.Range(), "Runtime too long", "SageMaker processing jobs run at most %s (%d seconds).", time.Duration(limit)*time.Second, limit)
			} else if s > trainingMaxRuntime {
				c.ev.errorf(x.MaxRuntime.Range(), "Runtime too long", "SageMaker training jobs run at most 28 days.")
			}
			cp.MaxRuntimeSeconds = s
		}
	}
	cp.Spot = c.ev.boolean(x.Spot, "spot", false)
	if cp.Spot && !training {
		c.ev.errorf(x.Spot.Range(), "Spot not supported here", "Only training steps can run on spot capacity; remove spot from this compute block.")
	}
	if !isAbsent(x.MaxWait) {
		if s, ok := c.ev.duration(x.MaxWait, "max_wait"); ok {
			if !cp.Spot {
				c.ev.errorf(x.MaxWait.Range(), "max_wait without spot", "max_wait only applies to spot training: set spot = true or remove max_wait.")
			}
			if s < cp.MaxRuntimeSeconds {
				c.ev.errorf(x.MaxWait.Range(), "max_wait shorter than max_runtime", "SageMaker requires max_wait (%ds) to be at least max_runtime (%ds): it covers waiting for spot capacity plus the run.", s, cp.MaxRuntimeSeconds)
			}
			cp.MaxWaitSeconds = s
		}
	} else if cp.Spot {
		cp.MaxWaitSeconds = 2 * cp.MaxRuntimeSeconds
	}
	if img, ok := c.ev.str(x.Image, "image"); ok {
		if !ecrImagePattern.MatchString(img) {
			c.ev.errorf(x.Image.Range(), "Invalid image", "SageMaker pulls images from ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG; %q is not such a URI.", img)
		}
		cp.Image = img
	}
	return cp
}

// SageMaker's limits on MaxRuntimeInSeconds (CreateProcessingJob,
// CreateTrainingJob).
const (
	processingMaxRuntime = 777600
	trainingMaxRuntime   = 28 * 86400
)

// Retry exception types SageMaker accepts on pipeline steps.
var retryTypes = []string{
	"Step.SERVICE_FAULT", "Step.THROTTLING",
	"SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT",
}

func (c *compilation) options(retries []*lang.Retry, cache *lang.Cache, job bool) ir.StepOptions {
	var o ir.StepOptions
	allowed := retryTypes
	if !job {
		allowed = retryTypes[:2] // SageMaker.* exceptions come from jobs only
	}
	for _, r := range retries {
		var rp ir.RetryPolicy
		if on, ok := c.ev.strings(r.On, "retry on"); ok {
			if len(on) == 0 {
				c.ev.errorf(r.On.Range(), "Retry on nothing", "List the exceptions to retry on, from %s.", strings.Join(allowed, ", "))
			}
			for _, t := range on {
				if !contains(allowed, t) {
					c.ev.errorf(r.On.Range(), "Unknown exception type", "%q is not a retryable exception type for this step; use %s.%s", t, strings.Join(allowed, ", "), closest(t, allowed))
				}
			}
			sort.Strings(on)
			rp.ExceptionTypes = on
		}
		rp.MaxAttempts = c.ev.intOr(r.MaxAttempts, "max_attempts", 1, 20, 3)
		rp.IntervalSeconds = c.ev.intOr(r.IntervalSeconds, "interval_seconds", 1, 43200, 10)
		rp.BackoffRate = c.ev.floatOr(r.BackoffRate, "backoff_rate", 1, 10, 2)
		o.Retry = append(o.Retry, rp)
	}
	if cache != nil {
		if s, ok := c.ev.str(cache.ExpireAfter, "expire_after"); ok {
			if !iso8601Duration.MatchString(s) || s == "P" || strings.HasSuffix(s, "T") {
				c.ev.errorf(cache.ExpireAfter.Range(), "Invalid cache duration", "expire_after is an ISO-8601 duration such as \"P30D\" or \"PT12H\"; %q is not.", s)
			}
			o.CacheExpireAfter = s
		}
	}
	return o
}

func (c *compilation) prepares() {
	for _, name := range sorted(c.cfg.Prepares) {
		pb := c.cfg.Prepares[name]
		b := pb.Body
		p := ir.Prepare{Name: name, StepName: c.stepName("Prepare", name, pb.DeclRange), Range: pb.DeclRange,
			Cleaning: ir.Cleaning{UnicodeNFC: true, CollapseWhitespace: true, Deduplicate: true},
			Split:    ir.Split{Train: 0.8, Validation: 0.1, Test: 0.1, Stratify: true, Seed: 42}}
		p.Dataset, _ = c.ev.ref(b.Dataset, lang.BlockDataset, exists(c.cfg.Datasets), "dataset")
		p.Output, _ = c.ev.ref(b.Output, lang.BlockStorage, exists(c.cfg.Storage), "output")
		if cl := b.Cleaning; cl != nil {
			p.Cleaning.UnicodeNFC = c.ev.boolean(cl.UnicodeNFC, "unicode_nfc", true)
			p.Cleaning.CollapseWhitespace = c.ev.boolean(cl.CollapseWhitespace, "collapse_whitespace", true)
			p.Cleaning.Lowercase = c.ev.boolean(cl.Lowercase, "lowercase", false)
			p.Cleaning.Deduplicate = c.ev.boolean(cl.Deduplicate, "deduplicate", true)
		}
		if s := b.Split; s != nil {
			tr, ok1 := c.ev.float(s.Train, "train", 0, 1)
			va, ok2 := c.ev.float(s.Validation, "validation", 0, 1)
			te, ok3 := c.ev.float(s.Test, "test", 0, 1)
			if ok1 && ok2 && ok3 {
				if sum := tr + va + te; sum < 0.999999 || sum > 1.000001 {
					c.ev.errorf(s.Train.Range(), "Split ratios do not add up to 1", "train + validation + test = %g + %g + %g = %g; they must add up to 1.", tr, va, te, sum)
				}
				if tr == 0 || va == 0 || te == 0 {
					c.ev.errorf(s.Train.Range(), "Empty split", "Each of train, validation and test needs a share above 0: training needs validation data to choose the out-of-scope threshold, and gates read the test split.")
				}
				p.Split.Train, p.Split.Validation, p.Split.Test = tr, va, te
			}
			p.Split.Stratify = c.ev.boolean(s.Stratify, "stratify", true)
			if !isAbsent(s.Seed) {
				if seed, ok := c.ev.integer(s.Seed, "seed", 0, 1<<31-1); ok {
					p.Split.Seed = seed
				}
			}
		}
		p.Compute = c.compute(b.Compute, "ml.m5.large", false)
		p.Options = c.options(b.Retry, b.Cache, true)
		c.p.Prepares = append(c.p.Prepares, p)
	}
}
