package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/internal/awstest"
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
	if !strings.Contains(out, "Apply complete: 4 uploaded, 0 already in S3; pipeline created.") {
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
	if !strings.Contains(out, "pipeline updated.") {
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
