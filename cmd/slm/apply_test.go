package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/greengrassv2"
	ggtypes "github.com/aws/aws-sdk-go-v2/service/greengrassv2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/internal/awstest"
	"github.com/slm-project/slm/internal/ggfake"
)

// These tests run slm plan and slm apply as a user would, against moto
// (internal/awstest): the estate's buckets are created first, as terraform
// apply would.

// devVars plan the example's dev environment in moto's account.
func devVars() []string {
	return []string{"--var-file", example + "/envs/dev.slmvars.hcl", "--var", "account_id=" + awstest.AccountID}
}

// motoAccount resets moto, points the SDK's default configuration at it
// and creates the example's buckets.
func motoAccount(t *testing.T) aws.Config {
	t.Helper()
	awstest.SetEnv(t)
	cfg := awstest.Config(t)
	s3c := s3.NewFromConfig(cfg)
	for _, b := range []string{"slm-model-artifacts-dev-acme", "slm-intents-dev-acme", "slm-edge-deployments-dev-acme"} {
		if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awstest.Region)}}); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// onlineCode names small x86-64 ELF files as the step runner and the ONNX
// Runtime library (uploaded to moto on every apply: the test binary would
// cost seconds), and plans online.
func onlineCode(t *testing.T) []string {
	t.Helper()
	runner, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := exec.LookPath("false")
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--runner", runner, "--ort-lib", lib}
}

func planArgs(t *testing.T, out string, extra ...string) []string {
	args := append([]string{"plan", example, "--out", out, "--detailed-exitcode"}, devVars()...)
	args = append(args, onlineCode(t)...)
	return append(args, extra...)
}

func mustRun(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, args...)
	if code != wantCode {
		t.Fatalf("slm %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, stdout, stderr)
	}
	return stdout
}

func TestPlanApplyReplan(t *testing.T) {
	cfg := motoAccount(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	out := mustRun(t, 2, planArgs(t, first)...)
	for _, want := range []string{"Compared with what is deployed in account " + awstest.AccountID, "+ FineTune-intent (Training", "Plan: 5 to add, 0 to change, 0 to destroy."} {
		if !strings.Contains(out, want) {
			t.Errorf("first plan lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, 0, "apply", first)
	if !strings.Contains(out, "Apply complete: 4 uploaded, 0 already in S3; pipeline created;") {
		t.Errorf("apply said:\n%s", out)
	}

	// Nothing changed: no changes, exit 0 with --detailed-exitcode.
	out = mustRun(t, 0, planArgs(t, filepath.Join(dir, "second"))...)
	for _, want := range []string{`SageMaker pipeline "intent-dev": no changes (8 steps).`, "# 4 uploads already in S3 hidden", "No changes. What is deployed matches the configuration."} {
		if !strings.Contains(out, want) {
			t.Errorf("second plan lacks %q:\n%s", want, out)
		}
	}

	// One hyperparameter: one step updated, one field.
	third := filepath.Join(dir, "third")
	out = mustRun(t, 2, planArgs(t, third, "--var", "epochs=4")...)
	want := `SageMaker pipeline "intent-dev" will be updated in place:
  ~ pipeline "intent-dev"
      ~ step "FineTune-intent" (Training)
          ~ Arguments.HyperParameters.epochs: 3 -> 4
      # 7 unchanged steps hidden
`
	if !strings.Contains(out, want) || !strings.Contains(out, "Plan: 0 to add, 1 to change, 0 to destroy.") {
		t.Errorf("plan of a hyperparameter change lacks\n%s\n%s", want, out)
	}
	out = mustRun(t, 0, "apply", third)
	if !strings.Contains(out, "pipeline updated;") {
		t.Errorf("apply said:\n%s", out)
	}
	mustRun(t, 0, planArgs(t, filepath.Join(dir, "fourth"), "--var", "epochs=4")...)
	// The pipeline carries the digest of the plan applied.
	b, err := os.ReadFile(filepath.Join(third, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	sm := sagemaker.NewFromConfig(cfg)
	tags, err := sm.ListTags(context.Background(), &sagemaker.ListTagsInput{ResourceArn: aws.String("arn:aws:sagemaker:" + awstest.Region + ":" + awstest.AccountID + ":pipeline/intent-dev")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if want := sha256Hex(b); got[awsdeploy.TagPlanSHA256] != want {
		t.Errorf("pipeline tag %s = %q, want the applied plan's digest %q (tags %v)", awsdeploy.TagPlanSHA256, got[awsdeploy.TagPlanSHA256], want, got)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestApplyRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// prepare changes things after the plan in dir was made.
		prepare func(t *testing.T, cfg aws.Config, dir string)
		args    func(dir string) []string
		stderr  []string
	}{
		{
			name: "a stale plan: the pipeline was updated out of band",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				sm := sagemaker.NewFromConfig(cfg)
				def, err := os.ReadFile(filepath.Join(dir, "sagemaker/pipeline.json"))
				if err != nil {
					t.Fatal(err)
				}
				edited := strings.Replace(string(def), `"DefaultValue": 0.85`, `"DefaultValue": 0.5`, 1)
				if edited == string(def) {
					t.Fatal("the definition has no MinAccuracy default to edit")
				}
				if _, err := sm.UpdatePipeline(ctx, &sagemaker.UpdatePipelineInput{PipelineName: aws.String("intent-dev"), PipelineDefinition: aws.String(edited)}); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"the plan is stale", "the pipeline intent-dev: its definition changed (last applied from plan"},
		},
		{
			name: "another apply holds the lock",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				c := awsdeploy.NewClients(cfg, awstest.Region)
				if _, err := c.AcquireLock(ctx, "s3://slm-model-artifacts-dev-acme/slm/locks/intent-dev.lock", awsdeploy.LockInfo{ID: "0123abcd", Who: "arn:aws:iam::123456789012:user/alice", Operation: "apply intent-dev", Created: "2026-01-01T00:00:00Z"}); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"another slm apply holds the lock s3://slm-model-artifacts-dev-acme/slm/locks/intent-dev.lock: id 0123abcd, held by arn:aws:iam::123456789012:user/alice", "slm force-unlock 0123abcd"},
		},
		{
			name: "force-unlock with the wrong id",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				c := awsdeploy.NewClients(cfg, awstest.Region)
				if _, err := c.AcquireLock(ctx, "s3://slm-model-artifacts-dev-acme/slm/locks/intent-dev.lock", awsdeploy.LockInfo{ID: "0123abcd", Who: "alice"}); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"force-unlock", "ffff", dir} },
			stderr: []string{"has id 0123abcd (held by alice", "not ffff: nothing released"},
		},
		{
			name: "an edited plan",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				p := filepath.Join(dir, "sagemaker/pipeline.json")
				b, _ := os.ReadFile(p)
				if err := os.WriteFile(p, append(b, ' '), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"the plan's files were edited since slm plan wrote them: sagemaker/pipeline.json (changed); plan again"},
		},
		{
			name: "a plan by another slm version",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				p := filepath.Join(dir, "plan.json")
				b, _ := os.ReadFile(p)
				if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"slm_version": "`+version+`"`, `"slm_version": "v0.0.1"`, 1)), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"was made by slm v0.0.1, this is slm " + version},
		},
		{
			name: "a half-written plan directory",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				if err := os.Remove(filepath.Join(dir, ".slm-out")); err != nil {
					t.Fatal(err)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"lacks the .slm-out marker"},
		},
		{
			name: "no credentials",
			prepare: func(t *testing.T, cfg aws.Config, dir string) {
				for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
			},
			args:   func(dir string) []string { return []string{"apply", dir} },
			stderr: []string{"no AWS credentials were found", "AWS_PROFILE", "--offline"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := motoAccount(t)
			dir := filepath.Join(t.TempDir(), "plan")
			mustRun(t, 2, planArgs(t, dir)...)
			// The pipeline exists, as applied by an earlier plan.
			mustRun(t, 0, "apply", dir)
			mustRun(t, 2, planArgs(t, dir, "--var", "epochs=4")...)
			tt.prepare(t, cfg, dir)
			code, stdout, stderr := runCLI(t, tt.args(dir)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestPlanAndApplyAccountChecks(t *testing.T) {
	motoAccount(t)
	dir := filepath.Join(t.TempDir(), "plan")
	// The example's dev account is not moto's.
	args := append([]string{"plan", example, "--out", dir, "--var-file", example + "/envs/dev.slmvars.hcl"}, onlineCode(t)...)
	code, _, stderr := runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "the AWS credentials are for account "+awstest.AccountID) || !strings.Contains(stderr, "the project deploys to account 111111111111") {
		t.Errorf("plan in the wrong account: exit %d\n%s", code, stderr)
	}
	// An offline plan is not applied: it was compared with nothing.
	mustRun(t, 2, append(planArgs(t, dir), "--offline")...)
	code, _, stderr = runCLI(t, "apply", dir)
	if code != 1 || !strings.Contains(stderr, "was made with --offline") {
		t.Errorf("apply of an offline plan: exit %d\n%s", code, stderr)
	}
	// A missing bucket: the estate is not applied.
	awstest.Reset(t)
	mustRun(t, 2, planArgs(t, dir)...)
	code, _, stderr = runCLI(t, "apply", dir)
	if code != 1 || !strings.Contains(stderr, "the bucket does not exist. The estate is not applied yet: run terraform apply") {
		t.Errorf("apply without the estate: exit %d\n%s", code, stderr)
	}
}

// TestApplyConfigDir plans and applies a configuration directory: without
// --auto-approve and with nothing on standard input it applies nothing;
// with it, it applies, starts an execution with a parameter and waits.
func TestApplyConfigDir(t *testing.T) {
	motoAccount(t)
	args := append(append([]string{"apply", example}, devVars()...), onlineCode(t)...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "pass --auto-approve") || !strings.Contains(stdout, "Plan: 5 to add") {
		t.Fatalf("apply without approval: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out := mustRun(t, 0, append(args, "--auto-approve", "--start", "--param", "MinAccuracy=0.9", "--wait")...)
	for _, want := range []string{"Apply complete: 4 uploaded, 0 already in S3; pipeline created;", "Started execution arn:aws:sagemaker:", "Succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply --start --wait lacks %q:\n%s", want, out)
		}
	}
	code, _, stderr = runCLI(t, append(args, "--auto-approve", "--start", "--param", "Nope=1")...)
	if code != 1 || !strings.Contains(stderr, "--param Nope: the pipeline has no such parameter") {
		t.Errorf("unknown --param: exit %d\n%s", code, stderr)
	}
}

// edgeFiles writes a model bundle and an edge runtime directory (small
// stand-ins: Greengrass checks digests, not contents) and returns the
// flags that name them.
func edgeFiles(t *testing.T, modelText string) []string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("model/manifest.json", `{"format": "slm-model-bundle", "precision": "int8"}`)
	write("model/model.onnx", modelText)
	write("rt/slm-edge", "edge amd64")
	write("rt/libonnxruntime.so.1", "ort amd64")
	write("rt/linux-arm64/slm-edge", "edge arm64")
	write("rt/linux-arm64/libonnxruntime.so.1", "ort arm64")
	return []string{"--model", filepath.Join(dir, "model"), "--edge-runtime", filepath.Join(dir, "rt")}
}

// TestEdgeRelease plans and applies the edge release against the
// Greengrass fake: component versions and a deployment are created; a
// re-plan has no changes; a new model gives a new model component version
// and a deployment showing the versions old -> new.
func TestEdgeRelease(t *testing.T) {
	motoAccount(t)
	gg := ggfake.New(t, awstest.Region, awstest.AccountID)
	t.Setenv("AWS_ENDPOINT_URL_GREENGRASSV2", gg.URL)
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	out := mustRun(t, 2, planArgs(t, first, edgeFiles(t, "model v1")...)...)
	for _, want := range []string{"+ com.example.slm.IntentClassifier.Model 1.", "+ edge_target.stores (intent-dev-stores)", "Plan: 13 to add"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	// Throttling and a 5xx on its first Greengrass requests are retried by the
	// SDK's retryer: without retries this apply would fail.
	gg.FailNext(400, "ThrottlingException")
	gg.FailNext(503, "InternalServerException")
	out = mustRun(t, 0, "apply", first)
	if !strings.Contains(out, "2 component versions and 1 deployments created.") {
		t.Errorf("apply said:\n%s", out)
	}
	if len(gg.Errors) > 0 {
		t.Fatalf("the Greengrass fake refused requests: %v", gg.Errors)
	}
	same := edgeFiles(t, "model v1")
	mustRun(t, 0, planArgs(t, filepath.Join(dir, "second"), same...)...)

	third := filepath.Join(dir, "third")
	out = mustRun(t, 2, planArgs(t, third, edgeFiles(t, "model v2")...)...)
	for _, want := range []string{"~ com.example.slm.IntentClassifier.Model 1.", " -> 1.", "+ edge_target.stores"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan of a new model lacks %q:\n%s", want, out)
		}
	}
	// Someone deploys to the fleet meanwhile: the plan's old -> new is no
	// longer true, and apply refuses it.
	ggc := greengrassv2.NewFromConfig(aws.Config{Region: awstest.Region, BaseEndpoint: aws.String(gg.URL),
		Credentials: credentials.NewStaticCredentialsProvider(awstest.AccessKeyID, awstest.SecretAccessKey, "")})
	if _, err := ggc.CreateDeployment(context.Background(), &greengrassv2.CreateDeploymentInput{
		TargetArn:  aws.String("arn:aws:iot:" + awstest.Region + ":" + awstest.AccountID + ":thinggroup/intent-stores-dev"),
		Components: map[string]ggtypes.ComponentDeploymentSpecification{"aws.greengrass.LogManager": {ComponentVersion: aws.String("2.3.5")}},
	}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "apply", third)
	if code != 1 || !strings.Contains(stderr, "the plan is stale") || !strings.Contains(stderr, "a new deployment to arn:aws:iot:"+awstest.Region+":"+awstest.AccountID+":thinggroup/intent-stores-dev was made since the plan") {
		t.Fatalf("apply after an out-of-band deployment: exit %d\n%s", code, stderr)
	}
	mustRun(t, 2, planArgs(t, third, edgeFiles(t, "model v2")...)...)
	mustRun(t, 0, "apply", third)
	deps := gg.Deployments()
	if len(deps) != 3 || deps[0].Status != "COMPLETED" || deps[1].Status != "COMPLETED" || deps[2].Status != "ACTIVE" {
		t.Errorf("deployments %+v, want each superseded by the next", deps)
	}
	if got := len(gg.ComponentVersions()); got != 4 {
		t.Errorf("component versions %v, want 4 (an inference component per model, as it depends on the model's version)", gg.ComponentVersions())
	}
	if len(gg.Errors) > 0 {
		t.Fatalf("the Greengrass fake refused requests: %v", gg.Errors)
	}
}

// registerModel puts a model.tar.gz (bundle/ and bundle-int8/) and its
// evaluation report in S3 and registers a model package in the example's
// group, as the pipeline's Register step would, recording that it passed
// the example's gates.
func registerModel(t *testing.T, cfg aws.Config, text, status string, accuracy float64) {
	t.Helper()
	registerModelGates(t, cfg, text, status, accuracy, map[string]string{"slm:gates": "latency,quality"})
}

// registerModelGates registers a model package with meta as its
// CustomerMetadataProperties (nil: none, as a package registered by hand).
func registerModelGates(t *testing.T, cfg aws.Config, text, status string, accuracy float64, meta map[string]string) {
	t.Helper()
	ctx := context.Background()
	files := map[string][]byte{}
	for dir, prec := range map[string]string{"bundle": "fp32", "bundle-int8": "int8"} {
		files[dir+"/manifest.json"] = []byte(`{"format": "slm-model-bundle", "precision": "` + prec + `"}`)
		files[dir+"/model.onnx"] = []byte(text + " " + prec)
	}
	tgz, err := artifact.TarGz(files)
	if err != nil {
		t.Fatal(err)
	}
	key := "intent-dev/" + sha256Hex(tgz)[:8] + "/"
	s3c := s3.NewFromConfig(cfg)
	report := fmt.Sprintf(`{"multiclass_classification_metrics": {"accuracy": {"value": %g, "standard_deviation": "NaN"}}, "latency_metrics": {"p95_ms": {"value": 7.5}}, "examples": 100}`, accuracy)
	for name, body := range map[string][]byte{"model.tar.gz": tgz, "evaluation.json": []byte(report)} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("slm-model-artifacts-dev-acme"), Key: aws.String(key + name), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	sm := sagemaker.NewFromConfig(cfg)
	group := "slm-dev-intent-classifier"
	if _, err := sm.DescribeModelPackageGroup(ctx, &sagemaker.DescribeModelPackageGroupInput{ModelPackageGroupName: aws.String(group)}); err != nil {
		if _, err := sm.CreateModelPackageGroup(ctx, &sagemaker.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sm.CreateModelPackage(ctx, &sagemaker.CreateModelPackageInput{
		ModelPackageGroupName:      aws.String(group),
		CustomerMetadataProperties: meta,
		ModelApprovalStatus:        smtypes.ModelApprovalStatus(status),
		InferenceSpecification: &smtypes.InferenceSpecification{
			Containers:            []smtypes.ModelPackageContainerDefinition{{Image: aws.String("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.9.0"), ModelDataUrl: aws.String("s3://slm-model-artifacts-dev-acme/" + key + "model.tar.gz")}},
			SupportedContentTypes: []string{"application/json"}, SupportedResponseMIMETypes: []string{"application/json"},
		},
		ModelMetrics: &smtypes.ModelMetrics{ModelQuality: &smtypes.ModelQuality{Statistics: &smtypes.MetricsSource{
			ContentType: aws.String("application/json"), S3Uri: aws.String("s3://slm-model-artifacts-dev-acme/" + key + "evaluation.json")}}},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestEdgeReleaseFromRegistry: with no --model the edge release ships the
// latest Approved model package; a new approved package gives a new model
// component version and a deployment; a pending one is ignored; a pinned
// version ships that one.
func TestEdgeReleaseFromRegistry(t *testing.T) {
	cfg := motoAccount(t)
	gg := ggfake.New(t, awstest.Region, awstest.AccountID)
	t.Setenv("AWS_ENDPOINT_URL_GREENGRASSV2", gg.URL)
	rt := edgeFiles(t, "unused")[2:] // --edge-runtime DIR
	dir := t.TempDir()

	out := mustRun(t, 2, planArgs(t, filepath.Join(dir, "none"), rt...)...)
	if !strings.Contains(out, "the model package group slm-dev-intent-classifier has no Approved model package yet") {
		t.Errorf("plan with an empty registry:\n%s", out)
	}
	registerModel(t, cfg, "v1", "Approved", 0.95)
	first := filepath.Join(dir, "first")
	out = mustRun(t, 2, planArgs(t, first, rt...)...)
	for _, want := range []string{"edge_target.stores ships model package slm-dev-intent-classifier/1 (Approved)", "accuracy 0.95", "p95_ms 7.5", "+ edge_target.stores (intent-dev-stores)"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, 0, "apply", first)
	mustRun(t, 0, planArgs(t, filepath.Join(dir, "again"), rt...)...)

	registerModel(t, cfg, "v2", "Approved", 0.96)
	registerModel(t, cfg, "v3", "PendingManualApproval", 0.99)
	second := filepath.Join(dir, "second")
	out = mustRun(t, 2, planArgs(t, second, rt...)...)
	for _, want := range []string{"ships model package slm-dev-intent-classifier/2 (Approved)", "+ com.example.slm.IntentClassifier.Model 1.", "~ com.example.slm.IntentClassifier.Model 1.", "Plan: 4 to add, 0 to change, 0 to destroy."} {
		if !strings.Contains(out, want) {
			t.Errorf("plan of a new approved package lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, 0, "apply", second)
	if n := len(gg.Deployments()); n != 2 {
		t.Errorf("%d deployments, want 2", n)
	}
	out = mustRun(t, 2, planArgs(t, filepath.Join(dir, "pinned"), append(rt, "--model-version", "1")...)...)
	if !strings.Contains(out, "ships model package slm-dev-intent-classifier/1 (Approved)") {
		t.Errorf("pinned plan:\n%s", out)
	}
	if len(gg.Errors) > 0 {
		t.Fatalf("the Greengrass fake refused requests: %v", gg.Errors)
	}
}

// TestEdgeReleaseGates: the registry's package ships to an edge target only
// when its slm:gates record holds every gate of the target's chain; the
// plan names the missing gates and the version, and plans no release for
// the target. A local --model bundle ships with a note that its gates are
// not checked.
func TestEdgeReleaseGates(t *testing.T) {
	cfg := motoAccount(t)
	gg := ggfake.New(t, awstest.Region, awstest.AccountID)
	t.Setenv("AWS_ENDPOINT_URL_GREENGRASSV2", gg.URL)
	local := edgeFiles(t, "local")
	rt := local[2:]
	dir := t.TempDir()

	registerModelGates(t, cfg, "v1", "Approved", 0.95, nil)
	out := mustRun(t, 2, planArgs(t, filepath.Join(dir, "none"), rt...)...)
	for _, want := range []string{
		"edge_target.stores ships nothing: model package slm-dev-intent-classifier/1 (Approved) did not pass gate.latency, gate.quality, which the target requires (the package passed: none recorded)",
		"Greengrass components and deployments are not planned: no edge target's model package passed the target's gates",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan of a package with no gate record lacks %q:\n%s", want, out)
		}
	}
	registerModelGates(t, cfg, "v2", "Approved", 0.96, map[string]string{"slm:gates": "quality"})
	partial := filepath.Join(dir, "partial")
	out = mustRun(t, 2, planArgs(t, partial, rt...)...)
	if want := "model package slm-dev-intent-classifier/2 (Approved) did not pass gate.latency, which the target requires (the package passed: gate.quality)"; !strings.Contains(out, want) {
		t.Errorf("plan of a package missing a gate lacks %q:\n%s", want, out)
	}
	for _, bad := range []string{"+ edge_target.stores", "IntentClassifier.Model"} {
		if strings.Contains(out, bad) {
			t.Errorf("plan of a package missing a gate plans %q:\n%s", bad, out)
		}
	}
	mustRun(t, 0, "apply", partial)
	if n := len(gg.Deployments()); n != 0 {
		t.Fatalf("%d deployments of a package that did not pass the target's gates", n)
	}

	registerModel(t, cfg, "v3", "Approved", 0.97)
	good := filepath.Join(dir, "good")
	out = mustRun(t, 2, planArgs(t, good, rt...)...)
	for _, want := range []string{"edge_target.stores ships model package slm-dev-intent-classifier/3 (Approved)", "passed gate.latency, gate.quality", "+ edge_target.stores (intent-dev-stores)"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan of a package that passed the gates lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, 0, "apply", good)
	if n := len(gg.Deployments()); n != 1 {
		t.Errorf("%d deployments, want 1", n)
	}
	// Pinning a version is checked the same way (and plans nothing to
	// change: what runs is left alone).
	out = mustRun(t, 0, planArgs(t, filepath.Join(dir, "pinned"), append(rt, "--model-version", "2")...)...)
	if !strings.Contains(out, "edge_target.stores ships nothing: model package slm-dev-intent-classifier/2 (Approved) did not pass gate.latency") {
		t.Errorf("plan pinned to a package missing a gate:\n%s", out)
	}
	out = mustRun(t, 2, planArgs(t, filepath.Join(dir, "local"), local...)...)
	if want := "its gates (gate.latency, gate.quality) are not checked: a local bundle has no gate record"; !strings.Contains(out, want) {
		t.Errorf("plan of a local bundle lacks %q:\n%s", want, out)
	}
	if len(gg.Errors) > 0 {
		t.Fatalf("the Greengrass fake refused requests: %v", gg.Errors)
	}
}

// TestApplyPrompt: apply of a configuration asks, and applies on "yes"
// only.
func TestApplyPrompt(t *testing.T) {
	motoAccount(t)
	args := append(append([]string{"apply", example}, devVars()...), onlineCode(t)...)
	for _, tt := range []struct {
		answer string
		code   int
		want   string
	}{
		{"no\n", 1, "Apply cancelled."},
		{"yes\n", 0, "Apply complete: 4 uploaded"},
	} {
		var out, errOut bytes.Buffer
		code := runIO(context.Background(), args, strings.NewReader(tt.answer), &out, &errOut, []string{"PATH=/usr/bin"})
		if code != tt.code || !strings.Contains(out.String(), "Only 'yes' will be accepted") || !strings.Contains(out.String(), tt.want) {
			t.Errorf("answer %q: exit %d\nstdout:\n%s\nstderr:\n%s", tt.answer, code, out.String(), errOut.String())
		}
	}
}

// stagedExample copies the example with a canary stage on its edge target.
func stagedExample(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "intent")
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "edge.slm.hcl")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	staged := strings.Replace(string(b), "  runtime {\n", "  canary {\n    thing_group = \"intent-stores-${var.env}-canary\"\n    rollout {\n      timeout_minutes = 5\n    }\n  }\n\n  runtime {\n", 1)
	if staged == string(b) {
		t.Fatal("edge.slm.hcl has no runtime block to put the canary before")
	}
	if err := os.WriteFile(p, []byte(staged), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestStagedRollout: apply creates the canary deployment, waits for its
// IoT job, and deploys the fleet only when the canary succeeded; a failed
// canary stops the release (exit 1, naming the deployment and its status);
// an apply interrupted after the canary succeeded, run again, goes on to
// the fleet without a second canary.
func TestStagedRollout(t *testing.T) {
	motoAccount(t)
	gg := ggfake.New(t, awstest.Region, awstest.AccountID)
	t.Setenv("AWS_ENDPOINT_URL_GREENGRASSV2", gg.URL)
	t.Setenv("AWS_ENDPOINT_URL_IOT", gg.URL)
	cfgDir := stagedExample(t)
	arn := "arn:aws:iot:" + awstest.Region + ":" + awstest.AccountID + ":thinggroup/"
	canary, fleet := arn+"intent-stores-dev-canary", arn+"intent-stores-dev"
	dir := t.TempDir()
	planStaged := func(out string, code int, model string) string {
		t.Helper()
		args := append([]string{"plan", cfgDir, "--out", out, "--detailed-exitcode", "--var-file", cfgDir + "/envs/dev.slmvars.hcl", "--var", "account_id=" + awstest.AccountID}, onlineCode(t)...)
		return mustRun(t, code, append(args, edgeFiles(t, model)...)...)
	}
	targets := func() []string {
		var out []string
		for _, d := range gg.Deployments() {
			out = append(out, strings.TrimPrefix(d.Target, arn))
		}
		return out
	}

	gg.SetJobOutcome(canary, ggfake.JobFailed)
	first := filepath.Join(dir, "first")
	out := planStaged(first, 2, "model v1")
	for _, want := range []string{"+ edge_target.stores stage 1 of 2, canary (intent-dev-stores-canary)", "+ edge_target.stores stage 2 of 2, fleet (intent-dev-stores)", "stage 2 (the fleet) starts only after this deployment's IoT job succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("staged plan lacks %q:\n%s", want, out)
		}
	}
	code, stdout, stderr := runCLI(t, "apply", first)
	id := "00000001-0000-4000-8000-000000000000"
	for _, want := range []string{`edge_target "stores": the canary deployment ` + id + " to " + canary + " stopped: its IoT job job-" + id + " is CANCELED: 0 succeeded, 1 failed", "so the fleet (stage 2) was not deployed"} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("apply of a failing canary: exit %d, want 1 and %q\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
		}
	}
	if got := targets(); !cmp.Equal(got, []string{"intent-stores-dev-canary"}) {
		t.Errorf("deployments to %v after a failed canary, want the canary only", got)
	}

	// A new model whose canary succeeds; the fleet's deployment is refused
	// (the apply stops there, as an interrupted one would), then allowed.
	gg.SetJobOutcome(canary, ggfake.JobSucceeded)
	gg.DenyDeployments(fleet)
	second := filepath.Join(dir, "second")
	planStaged(second, 2, "model v2")
	code, stdout, stderr = runCLI(t, "apply", second)
	if code != 1 || !strings.Contains(stderr, "AccessDeniedException") || !strings.Contains(stdout, "The canary deployment 00000002-0000-4000-8000-000000000000 succeeded.") {
		t.Fatalf("apply with the fleet refused: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	gg.DenyDeployments("")
	out = mustRun(t, 0, "apply", second)
	if !strings.Contains(out, "The canary deployment 00000002-0000-4000-8000-000000000000 succeeded.") || !strings.Contains(out, "0 component versions and 1 deployments created.") {
		t.Errorf("re-run of the interrupted apply:\n%s", out)
	}
	if got, want := targets(), []string{"intent-stores-dev-canary", "intent-stores-dev-canary", "intent-stores-dev"}; !cmp.Equal(got, want) {
		t.Errorf("deployments to %v, want %v (the re-run makes no second canary)", got, want)
	}
	// Applied once more, the plan changes nothing and waits on nothing.
	out = mustRun(t, 0, "apply", second)
	if strings.Contains(out, "Waiting for the canary") || !strings.Contains(out, "0 component versions and 0 deployments created.") {
		t.Errorf("apply of a plan applied already:\n%s", out)
	}
	planStaged(filepath.Join(dir, "again"), 0, "model v2")
	if len(gg.Errors) > 0 {
		t.Fatalf("the Greengrass fake refused requests: %v", gg.Errors)
	}
}
