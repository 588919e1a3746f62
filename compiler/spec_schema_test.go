package compiler_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// specRow is one row of a SPEC.md attribute table.
type specRow struct {
	typ, def string
}

var (
	blockHeading = regexp.MustCompile("^#### `([a-z_]+)")
	tableRow     = regexp.MustCompile("^\\| `([a-z0-9_.]+)` \\| ([^|]+) \\| ([^|]+) \\|")
)

// specTables reads section 1.7's attribute tables: block type -> path -> row.
// The step options table is filed under "step".
func specTables(t *testing.T) map[string]map[string]specRow {
	spec, err := os.ReadFile("../SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(spec)
	start, end := strings.Index(text, "### 1.7 Block reference"), strings.Index(text, "### 1.8 ")
	if start < 0 || end < start {
		t.Fatal("SPEC.md has no section 1.7")
	}
	out := map[string]map[string]specRow{}
	block := ""
	for _, line := range strings.Split(text[start:end], "\n") {
		if m := blockHeading.FindStringSubmatch(line); m != nil {
			block = m[1]
			if strings.HasPrefix(line, "#### Step options") {
				block = "step"
			}
			continue
		}
		if strings.HasPrefix(line, "#### Step options") {
			block = "step"
			continue
		}
		if m := tableRow.FindStringSubmatch(line); m != nil && block != "" {
			if out[block] == nil {
				out[block] = map[string]specRow{}
			}
			out[block][m[1]] = specRow{typ: strings.TrimSpace(m[2]), def: strings.Trim(strings.TrimSpace(m[3]), "`")}
		}
	}
	return out
}

// stepOption says whether a path belongs to the shared step options table.
func stepOption(path string) bool {
	for _, p := range []string{"compute", "retry", "cache"} {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

// compilerRequired are what the decoder accepts as optional but the
// compiler refuses to do without (each with its own diagnostic, which the
// test checks by leaving it out).
var compilerRequired = map[string]string{
	"finetune.base_model": "Missing base_model block",
	"finetune.lora":       "Missing lora block",
	"finetune.compute":    "Missing compute block",
	"register.gates":      "Registration not guarded by a quality gate",
}

// TestSpecSchema checks SPEC.md's attribute tables against the decoder's
// schema (every attribute and block documented, nothing documented that
// the decoder refuses, required flags equal) and every documented default
// against what the compiler fills in when the attribute is left out.
func TestSpecSchema(t *testing.T) {
	tables := specTables(t)
	schema := lang.Schema()
	for typ, items := range schema {
		for _, it := range items {
			table, path := typ, it.Path
			if typ != lang.BlockVariable && typ != lang.BlockGate && stepOption(it.Path) {
				table = "step"
			}
			row, ok := tables[table][path]
			if !ok {
				t.Errorf("SPEC.md documents no %s.%s (table %q)", typ, path, table)
				continue
			}
			if it.Block {
				if !strings.HasPrefix(row.typ, "block") || strings.Contains(row.typ, "repeatable") != it.Repeatable {
					t.Errorf("%s.%s: SPEC type %q, decoder: block, repeatable %t", typ, path, row.typ, it.Repeatable)
				}
			}
			specRequired := row.def == "required"
			required := it.Required
			if _, ok := compilerRequired[typ+"."+path]; ok {
				required = true
			}
			if specRequired != required && !(table == "step" && typ == lang.BlockFineTune && path == "compute") {
				t.Errorf("%s.%s: SPEC says required=%t, the decoder %t", typ, path, specRequired, required)
			}
		}
	}
	// Nothing documented that the decoder does not accept.
	for table, rows := range tables {
		for path := range rows {
			found := false
			for typ, items := range schema {
				for _, it := range items {
					if it.Path == path && (typ == table || (table == "step" && stepOption(path))) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("SPEC.md documents %s.%s, which the decoder does not accept", table, path)
			}
		}
	}
	checkDefaults(t, tables)
	checkCompilerRequired(t)
}

// minimalConfig writes only what is required, so everything else takes its
// default.
const minimalConfig = `
project "m" {
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.a
}
variable "v" {
  type = string
  default = "x"
}
parameter "p" {
  type = string
}
storage "a" {
  bucket = "m-a-bucket"
  lifecycle_rule "r" {
  }
}
storage "e" {
  bucket = "m-e-bucket"
}
dataset "d" {
  source = "s3://m-a-bucket/raw/"
  format = "jsonl"
}
prepare "p" {
  dataset = dataset.d
  output  = storage.a
  retry {
    on = ["Step.THROTTLING"]
  }
}
finetune "f" {
  data   = prepare.p
  output = storage.a
  method = "lora"
  base_model {
    s3_uri = "s3://m-a-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}
evaluate "e" {
  model = finetune.f
  data  = prepare.p
}
gate "quality" {
  evaluation = evaluate.e
  threshold "accuracy" {
    min = 0.5
  }
}
register "r" {
  model               = finetune.f
  evaluation          = evaluate.e
  gates               = [gate.quality]
  model_package_group = "m-models"
  approval            = "Approved"
}
edge_target "t" {
  model          = register.r
  thing_group    = "m-things"
  platforms      = ["linux/amd64"]
  component_name = "com.example.M"
  storage        = storage.e
}
monitoring {
  alarm "a" {
    metric    = "pipeline_execution_failed"
    threshold = 1
  }
}
`

func compileMinimal(t *testing.T, src string) compiler.Result {
	t.Helper()
	return compiler.Load(context.Background(), compiler.Request{FS: fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(src)}}, Dir: "cfg"})
}

// defaults reads, for each documented default, the value the compiler
// filled in for the minimal configuration. A documented default without an
// entry here fails the test, so a new default cannot go unchecked.
func defaults(p *ir.Pipeline, cfg *lang.Config) map[string]any {
	st := p.Storage[0]
	pr, ft, ev, gt, rg, et := p.Prepares[0], p.FineTunes[0], p.Evaluations[0], p.Gates[0], p.Registers[0], p.EdgeTargets[0]
	enc := map[ir.Encryption]string{ir.EncryptionS3: "sse-s3", ir.EncryptionKMS: "sse-kms"}[st.Encryption]
	dur := func(s int) time.Duration { return time.Duration(s) * time.Second }
	return map[string]any{
		"project.environment":                                   p.Project.Environment,
		"project.tags":                                          p.Project.Tags,
		"project.description":                                   p.Project.Description,
		"project.read_access":                                   p.Project.ReadAccess,
		"variable.type":                                         keyword("any"),
		"variable.description":                                  cfg.Variables["v"].Description,
		"variable.sensitive":                                    cfg.Variables["v"].Sensitive,
		"parameter.description":                                 p.Parameters[0].Description,
		"storage.prefix":                                        st.Prefix,
		"storage.versioning":                                    st.Versioning,
		"storage.encryption":                                    enc,
		"storage.force_destroy":                                 st.ForceDestroy,
		"storage.lifecycle_rule.prefix":                         st.Lifecycle[0].Prefix,
		"dataset.text_field":                                    p.Datasets[0].TextField,
		"dataset.label_field":                                   p.Datasets[0].LabelField,
		"prepare.cleaning.unicode_nfc":                          pr.Cleaning.UnicodeNFC,
		"prepare.cleaning.collapse_whitespace":                  pr.Cleaning.CollapseWhitespace,
		"prepare.cleaning.lowercase":                            pr.Cleaning.Lowercase,
		"prepare.cleaning.deduplicate":                          pr.Cleaning.Deduplicate,
		"prepare.split.stratify":                                pr.Split.Stratify,
		"prepare.split.seed":                                    pr.Split.Seed,
		"step.compute.instance_count":                           pr.Compute.InstanceCount,
		"step.compute.volume_size_gb":                           pr.Compute.VolumeSizeGB,
		"step.compute.max_runtime":                              dur(pr.Compute.MaxRuntimeSeconds),
		"step.compute.spot":                                     pr.Compute.Spot,
		"step.retry.max_attempts":                               pr.Options.Retry[0].MaxAttempts,
		"step.retry.interval_seconds":                           pr.Options.Retry[0].IntervalSeconds,
		"step.retry.backoff_rate":                               pr.Options.Retry[0].BackoffRate,
		"finetune.base_model.pooling":                           ft.BaseModel.Pooling,
		"finetune.tokenizer.max_seq_length":                     ft.MaxSeqLength,
		"finetune.lora.dropout":                                 ft.LoRA.Dropout,
		"finetune.hyperparameters.epochs":                       ft.Hyper.Epochs,
		"finetune.hyperparameters.learning_rate":                ft.Hyper.LearningRate,
		"finetune.hyperparameters.batch_size":                   ft.Hyper.BatchSize,
		"finetune.hyperparameters.eval_batch_size":              ft.Hyper.EvalBatchSize,
		"finetune.hyperparameters.warmup_ratio":                 ft.Hyper.WarmupRatio,
		"finetune.hyperparameters.weight_decay":                 ft.Hyper.WeightDecay,
		"finetune.hyperparameters.seed":                         ft.Hyper.Seed,
		"finetune.export.quantize_int8":                         ft.QuantizeInt8,
		"finetune.export.out_of_scope_label":                    ft.OOSLabel,
		"finetune.export.max_in_scope_drop":                     ft.OOSMaxInScopeDrop,
		"finetune.framework.pytorch":                            ft.Framework.PyTorch,
		"finetune.framework.transformers":                       ft.Framework.Transformers,
		"finetune.framework.python":                             ft.Framework.Python,
		"finetune.framework.cuda":                               ft.Framework.CUDA,
		"evaluate.variant":                                      ev.Variant,
		"gate.message":                                          strings.ReplaceAll(gt.Message, gt.Name, "NAME"),
		"register.description":                                  rg.Description,
		"register.inference_instance_types":                     rg.InferenceInstanceTypes,
		"edge_target.variant":                                   et.Variant,
		"edge_target.failure_handling":                          et.FailureHandling,
		"edge_target.rollout.base_rate_per_minute":              et.Rollout.BaseRatePerMinute,
		"edge_target.rollout.increment_factor":                  et.Rollout.IncrementFactor,
		"edge_target.rollout.succeeded_things_to_increase":      et.Rollout.SucceededThingsToIncrease,
		"edge_target.rollout.max_per_minute":                    et.Rollout.MaxPerMinute,
		"edge_target.rollout.abort_failure_percent":             et.Rollout.AbortFailurePercent,
		"edge_target.rollout.abort_min_executed_things":         et.Rollout.AbortMinExecutedThings,
		"edge_target.rollout.timeout_minutes":                   et.Rollout.TimeoutMinutes,
		"edge_target.rollout.abort_on":                          et.Rollout.AbortOn,
		"edge_target.rollout.component_update_policy":           et.Rollout.ComponentUpdatePolicy,
		"edge_target.rollout.config_validation_timeout_seconds": et.Rollout.ConfigValidationTimeout,
		"edge_target.runtime.listen":                            et.Runtime.Listen,
		"edge_target.runtime.threads":                           et.Runtime.Threads,
		"edge_target.runtime.max_batch":                         et.Runtime.MaxBatch,
		"edge_target.runtime.workers":                           et.Runtime.Workers,
		"edge_target.runtime.max_wait":                          et.Runtime.MaxWait,
		"edge_target.runtime.max_queue":                         et.Runtime.MaxQueue,
		"edge_target.runtime.log_level":                         et.Runtime.LogLevel,
		"monitoring.notify_emails":                              p.Monitoring.NotifyEmails,
		"monitoring.alarm.period":                               dur(p.Monitoring.Alarms[0].PeriodSeconds),
		"monitoring.alarm.evaluation_periods":                   p.Monitoring.Alarms[0].EvaluationPeriods,
	}
}

// keyword is a default written without quotes (a type keyword).
type keyword string

// hclText writes a Go value the way SPEC.md writes a default.
func hclText(v any) string {
	switch x := v.(type) {
	case keyword:
		return string(x)
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case []ir.S3Location:
		if len(x) == 0 {
			return "[]"
		}
	case map[string]string:
		if len(x) == 0 {
			return "{}"
		}
	case float64:
		return fmt.Sprintf("%g", x)
	}
	return fmt.Sprint(v)
}

func checkDefaults(t *testing.T, tables map[string]map[string]specRow) {
	t.Helper()
	res := compileMinimal(t, minimalConfig)
	if res.Diags.HasErrors() || res.Pipeline == nil {
		t.Fatalf("the minimal configuration does not compile: %s", res.Diags.Error())
	}
	p := lang.NewParser(fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(minimalConfig)}})
	cfg, diags := p.LoadConfigDir(context.Background(), "cfg")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := defaults(res.Pipeline, cfg)
	var keys []string
	for table, rows := range tables {
		for path, row := range rows {
			// "inherited" defaults (a canary's rollout) are checked by
			// TestCanaryInheritsRollout.
			if row.def == "required" || row.def == "none" || row.def == "inherited" || strings.HasPrefix(row.typ, "block") {
				continue
			}
			keys = append(keys, table+"."+path)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		table, path, _ := strings.Cut(key, ".")
		want := tables[table][path].def
		v, ok := got[key]
		if !ok {
			t.Errorf("SPEC.md documents the default %s for %s, which this test does not check: add it to defaults()", want, key)
			continue
		}
		if d, isDur := v.(time.Duration); isDur {
			wd, err := time.ParseDuration(strings.Trim(want, `"`))
			if err != nil || wd != d {
				t.Errorf("%s: SPEC default %s, the compiler's %s", key, want, d)
			}
			continue
		}
		if g := hclText(v); g != want {
			t.Errorf("%s: SPEC default %s, the compiler's %s", key, want, g)
		}
	}
}

// checkCompilerRequired leaves out each block or attribute the compiler
// requires, and expects its diagnostic.
func checkCompilerRequired(t *testing.T) {
	t.Helper()
	cut := map[string]*regexp.Regexp{
		"finetune.base_model": regexp.MustCompile(`(?s)  base_model \{.*?\n  \}\n`),
		"finetune.lora":       regexp.MustCompile(`(?s)  lora \{.*?\n  \}\n`),
		"finetune.compute":    regexp.MustCompile(`(?s)  compute \{\n    instance_type = "ml.g5.xlarge"\n  \}\n`),
		"register.gates":      regexp.MustCompile(`  gates += \[gate.quality\]\n`),
	}
	for key, summary := range compilerRequired {
		src := cut[key].ReplaceAllString(minimalConfig, "")
		if key == "register.gates" {
			// The gate then guards nothing either.
			src = strings.Replace(src, "edge_target \"t\" {\n  model          = register.r\n", "edge_target \"t\" {\n  model          = register.r\n  gates = [gate.quality]\n", 1)
		}
		if src == minimalConfig {
			t.Fatalf("%s: could not remove it from the minimal configuration", key)
		}
		res := compileMinimal(t, src)
		if !strings.Contains(res.Diags.Error(), summary) {
			t.Errorf("without %s: diagnostics %q, want %q", key, res.Diags.Error(), summary)
		}
	}
}

// TestCanaryInheritsRollout: a canary's rollout attributes left out are the
// target's, those it sets are its own.
func TestCanaryInheritsRollout(t *testing.T) {
	src := strings.Replace(minimalConfig, `  storage        = storage.e
}`, `  storage        = storage.e
  rollout {
    timeout_minutes = 90
  }
  canary {
    thing_group = "m-canary"
    rollout {
      abort_failure_percent = 1
    }
  }
}`, 1)
	res := compileMinimal(t, src)
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	et := res.Pipeline.EdgeTargets[0]
	want := et.Rollout
	want.AbortFailurePercent = 1
	if et.Canary == nil || et.Canary.ThingGroup != "m-canary" || !reflect.DeepEqual(et.Canary.Rollout, want) {
		t.Errorf("canary = %+v, want the target's rollout (timeout 90) with abort at 1%%", et.Canary)
	}
}
