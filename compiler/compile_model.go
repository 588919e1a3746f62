package compiler

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

var iso8601Duration = regexp.MustCompile(`^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$`)

// GateMetrics maps the metric names a gate may bound to their place in the
// evaluation report (SPEC.md section 4), and says which way is better.
var GateMetrics = map[string]struct {
	JSONPath     string
	HigherBetter bool
}{
	"accuracy":               {"multiclass_classification_metrics.accuracy.value", true},
	"macro_f1":               {"multiclass_classification_metrics.macro_f1.value", true},
	"weighted_f1":            {"multiclass_classification_metrics.weighted_f1.value", true},
	"weighted_precision":     {"multiclass_classification_metrics.weighted_precision.value", true},
	"weighted_recall":        {"multiclass_classification_metrics.weighted_recall.value", true},
	"min_per_class_f1":       {"multiclass_classification_metrics.min_per_class_f1.value", true},
	"in_scope_accuracy":      {"multiclass_classification_metrics.in_scope_accuracy.value", true},
	"out_of_scope_recall":    {"multiclass_classification_metrics.out_of_scope_recall.value", true},
	"out_of_scope_precision": {"multiclass_classification_metrics.out_of_scope_precision.value", true},
	"latency_p50_ms":         {"latency_metrics.p50_ms.value", false},
	"latency_p95_ms":         {"latency_metrics.p95_ms.value", false},
}

func gateMetricNames() []string {
	names := make([]string, 0, len(GateMetrics))
	for n := range GateMetrics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// The metric lines the training step prints (SPEC.md section 2.2).
var builtinTrainingMetrics = []string{"eval_accuracy", "eval_loss", "eval_macro_f1", "train_loss"}

// MetricRegex is the regex that captures a training metric from the log.
func MetricRegex(name string) string {
	return "slm_metric name=" + name + " value=([-+0-9.eE]+)"
}

func (c *compilation) finetunes() {
	for _, name := range sorted(c.cfg.FineTunes) {
		c.ev.in(lang.BlockFineTune, name)
		fb := c.cfg.FineTunes[name]
		b := fb.Body
		f := ir.FineTune{Name: name, StepName: c.stepName("FineTune", name, fb.DeclRange), Range: fb.DeclRange,
			MaxSeqLength: 128, OOSMaxInScopeDrop: 0.01}
		f.Data, _ = c.ev.ref(b.Data, lang.BlockPrepare, exists(c.cfg.Prepares), "data")
		f.Output, _ = c.ev.ref(b.Output, lang.BlockStorage, exists(c.cfg.Storage), "output")
		if m, ok := c.ev.oneOf(b.Method, "method", "lora", "qlora"); ok {
			f.Method = ir.Method(m)
		}
		if uri, ok := c.ev.str(b.Checkpoints, "checkpoints"); ok {
			if !s3URIPattern.MatchString(uri) {
				c.ev.errorf(b.Checkpoints.Range(), "Invalid checkpoint location", "checkpoints is an s3:// URI where the job saves checkpoints and resumes from after a spot interruption; %q is not.", uri)
			}
			f.CheckpointURI = uri
		}
		if bm := b.BaseModel; bm == nil {
			c.ev.errorf(fb.DeclRange, "Missing base_model block", "A finetune block needs a base_model block: base_model { hub_id = \"sentence-transformers/all-MiniLM-L6-v2\" revision = \"<commit>\" } or base_model { s3_uri = \"s3://...\" }.")
		} else {
			hub, hasHub := c.ev.str(bm.HubID, "hub_id")
			s3, hasS3 := c.ev.str(bm.S3URI, "s3_uri")
			rev, hasRev := c.ev.str(bm.Revision, "revision")
			switch {
			case !isAbsent(bm.HubID) && !isAbsent(bm.S3URI):
				c.ev.errorf(bm.S3URI.Range(), "Two base models", "Give either hub_id (with revision) or s3_uri, not both.")
			case isAbsent(bm.HubID) && isAbsent(bm.S3URI):
				c.ev.errorf(fb.DeclRange, "No base model", "base_model needs hub_id (with a pinned revision) or s3_uri.")
			case hasHub:
				if !hubIDPattern.MatchString(hub) {
					c.ev.errorf(bm.HubID.Range(), "Invalid model id", "%q is not a Hugging Face model id such as \"sentence-transformers/all-MiniLM-L6-v2\".", hub)
				}
				if isAbsent(bm.Revision) {
					c.ev.errorf(bm.HubID.Range(), "Unpinned base model", "A hub model needs revision = \"<40-character commit hash>\" so every run trains from the same weights.")
				} else if hasRev && !commitPattern.MatchString(rev) {
					c.ev.errorf(bm.Revision.Range(), "Revision is not a commit", "revision must be a 40-character commit hash; branch and tag names such as %q move.", rev)
				}
				f.BaseModel = ir.BaseModel{HubID: hub, Revision: rev}
			case hasS3:
				if !s3URIPattern.MatchString(s3) {
					c.ev.errorf(bm.S3URI.Range(), "Invalid model location", "s3_uri must be an s3:// URI; %q is not.", s3)
				}
				if !isAbsent(bm.Revision) {
					c.ev.errorf(bm.Revision.Range(), "Revision with an S3 model", "revision applies to hub models only.")
				}
				f.BaseModel = ir.BaseModel{S3URI: s3}
			}
			f.BaseModel.Pooling = "mean"
			if !isAbsent(bm.Pooling) {
				if p, ok := c.ev.oneOf(bm.Pooling, "pooling", "mean", "cls"); ok {
					f.BaseModel.Pooling = p
				}
			}
		}
		if t := b.Tokenizer; t != nil {
			f.MaxSeqLength = c.ev.intOr(t.MaxSeqLength, "max_seq_length", 8, 8192, 128)
		}
		if l := b.LoRA; l == nil {
			c.ev.errorf(fb.DeclRange, "Missing lora block", "A finetune block needs lora { r = 16 alpha = 32 target_modules = [\"query\", \"value\"] }.")
		} else {
			f.LoRA.R = c.ev.intOr(l.R, "r", 1, 1024, 8)
			f.LoRA.Alpha = c.ev.intOr(l.Alpha, "alpha", 1, 4096, 16)
			f.LoRA.Dropout = c.ev.floatOr(l.Dropout, "dropout", 0, 0.99, 0.1)
			if mods, ok := c.ev.strings(l.TargetModules, "target_modules"); ok {
				if len(mods) == 0 {
					c.ev.errorf(l.TargetModules.Range(), "No target modules", "LoRA needs at least one module to adapt, such as [\"query\", \"value\"].")
				}
				for _, m := range mods {
					if m == "" || strings.ContainsAny(m, ", ") {
						c.ev.errorf(l.TargetModules.Range(), "Invalid module name", "%q is not a module name.", m)
					}
				}
				f.LoRA.TargetModules = mods
			}
		}
		f.Hyper = ir.Hyperparameters{Epochs: 3, LearningRate: 2e-4, BatchSize: 32, EvalBatchSize: 64, WarmupRatio: 0.06, Seed: 42}
		if h := b.Hyperparameters; h != nil {
			f.Hyper.Epochs = c.ev.intOr(h.Epochs, "epochs", 1, 1000, 3)
			f.Hyper.LearningRate = c.ev.floatOr(h.LearningRate, "learning_rate", 1e-8, 1, 2e-4)
			f.Hyper.BatchSize = c.ev.intOr(h.BatchSize, "batch_size", 1, 4096, 32)
			f.Hyper.EvalBatchSize = c.ev.intOr(h.EvalBatchSize, "eval_batch_size", 1, 4096, 64)
			f.Hyper.WarmupRatio = c.ev.floatOr(h.WarmupRatio, "warmup_ratio", 0, 0.5, 0.06)
			f.Hyper.WeightDecay = c.ev.floatOr(h.WeightDecay, "weight_decay", 0, 1, 0)
			if !isAbsent(h.Seed) {
				if s, ok := c.ev.integer(h.Seed, "seed", 0, 1<<31-1); ok {
					f.Hyper.Seed = s
				}
			}
		}
		if x := b.Export; x != nil {
			f.QuantizeInt8 = c.ev.boolean(x.QuantizeInt8, "quantize_int8", false)
			f.OOSMaxInScopeDrop = c.ev.floatOr(x.MaxInScopeDrop, "max_in_scope_drop", 0, 0.5, f.OOSMaxInScopeDrop)
			if s, ok := c.ev.str(x.OutOfScopeLabel, "out_of_scope_label"); ok {
				if strings.TrimSpace(s) == "" {
					c.ev.errorf(x.OutOfScopeLabel.Range(), "Empty out-of-scope label", "out_of_scope_label names the label of out-of-scope examples, such as \"oos\"; leave it out when the data has no out-of-scope class.")
				}
				f.OOSLabel = s
			}
		}
		pins := frameworkPins{defaultPyTorch, defaultTransformers, defaultPython, defaultCUDA}
		if fw := b.Framework; fw != nil {
			if s, ok := c.ev.str(fw.PyTorch, "pytorch"); ok {
				pins.pytorch = s
			}
			if s, ok := c.ev.str(fw.Transformers, "transformers"); ok {
				pins.transformers = s
			}
			if s, ok := c.ev.str(fw.Python, "python"); ok {
				pins.python = s
			}
			if s, ok := c.ev.str(fw.CUDA, "cuda"); ok {
				pins.cuda = s
			}
		}
		f.Framework = ir.Framework{PyTorch: pins.pytorch, Transformers: pins.transformers, Python: pins.python, CUDA: pins.cuda}
		for _, m := range builtinTrainingMetrics {
			f.Metrics = append(f.Metrics, ir.MetricDefinition{Name: m, Regex: MetricRegex(m)})
		}
		for _, m := range b.Metrics {
			rx, ok := c.ev.str(m.Regex, "a metric regex")
			if !ok {
				continue
			}
			if re, err := regexp.Compile(rx); err != nil || re.NumSubexp() != 1 {
				c.ev.errorf(m.Regex.Range(), "Invalid metric regex", "A metric regex must compile and capture exactly one group, the value; %q does not.", rx)
			}
			for _, prev := range f.Metrics {
				if prev.Name == m.Name && !contains(builtinTrainingMetrics, m.Name) {
					c.ev.errorf(m.Regex.Range(), "Duplicate metric", "The metric %q is defined twice.", m.Name)
				}
			}
			if contains(builtinTrainingMetrics, m.Name) {
				c.ev.errorf(m.Regex.Range(), "Duplicate metric", "%q is already captured by the training step's own metric lines.", m.Name)
			}
			f.Metrics = append(f.Metrics, ir.MetricDefinition{Name: m.Name, Regex: rx})
		}
		sort.Slice(f.Metrics, func(i, j int) bool { return f.Metrics[i].Name < f.Metrics[j].Name })
		f.Compute = c.compute(b.Compute, "ml.g5.xlarge", true)
		if b.Compute == nil {
			c.ev.errorf(fb.DeclRange, "Missing compute block", "A finetune block needs compute { instance_type = \"ml.g5.xlarge\" }: training instance types vary too much to pick one for you.")
		}
		if f.Method == ir.MethodQLoRA && f.Compute.InstanceType != "" && nvidiaGPUs(f.Compute.InstanceType) == 0 && instanceProblem(f.Compute.InstanceType, true) == "" {
			c.ev.errorf(b.Compute.InstanceType.Range(), "QLoRA needs a GPU", "method = \"qlora\" loads the base model in 4 bits with CUDA kernels, but %s has no GPU. Use a GPU instance (ml.g5.*, ml.g6.*, ml.p4d.*) or method = \"lora\".", f.Compute.InstanceType)
		}
		if f.Compute.Image == "" && c.p.Project.Region != "" {
			if nvidiaGPUs(f.Compute.InstanceType) == 0 && f.Method != ir.MethodQLoRA && instanceProblem(f.Compute.InstanceType, true) == "" && b.Compute != nil {
				c.ev.errorf(b.Compute.InstanceType.Range(), "No training image for a CPU instance", "The Hugging Face PyTorch training images are built for NVIDIA GPUs only, and %s has none%s. Use a GPU instance (ml.g5.*, ml.g6.*), or name a training image for it with compute { image = \"...\" }.", f.Compute.InstanceType, neuronNote(f.Compute.InstanceType))
			}
			img, _ := trainingImage(c.p.Project.Region, pins, true)
			f.Compute.Image = img
		}
		c.distribution(&f, b.Compute)
		if f.Compute.Spot && f.CheckpointURI == "" {
			c.ev.errorf(b.Compute.Spot.Range(), "Spot training without checkpoints", "A spot interruption would restart training from zero: set checkpoints = \"s3://...\" so the job resumes.")
		}
		f.Options = c.options(b.Retry, b.Cache, true)
		c.p.FineTunes = append(c.p.FineTunes, f)
	}
}

func (c *compilation) evaluations() {
	for _, name := range sorted(c.cfg.Evaluations) {
		c.ev.in(lang.BlockEvaluate, name)
		eb := c.cfg.Evaluations[name]
		b := eb.Body
		e := ir.Evaluate{Name: name, StepName: c.stepName("Evaluate", name, eb.DeclRange), Variant: "fp32", Range: eb.DeclRange}
		e.Model, _ = c.ev.ref(b.Model, lang.BlockFineTune, exists(c.cfg.FineTunes), "model")
		e.Data, _ = c.ev.ref(b.Data, lang.BlockPrepare, exists(c.cfg.Prepares), "data")
		if v, ok := c.ev.oneOf(b.Variant, "variant", "fp32", "int8"); ok {
			e.Variant = v
		}
		e.Compute = c.compute(b.Compute, "ml.m5.large", false)
		e.Options = c.options(b.Retry, b.Cache, true)
		c.p.Evaluations = append(c.p.Evaluations, e)
	}
	for _, e := range c.p.Evaluations {
		if e.Variant != "int8" {
			continue
		}
		for _, f := range c.p.FineTunes {
			if f.Name == e.Model && !f.QuantizeInt8 {
				c.ev.errorf(e.Range, "No int8 model to evaluate", "evaluate %q measures the int8 model, but finetune %q does not quantise: set export { quantize_int8 = true } there.", e.Name, f.Name)
			}
		}
	}
}

func (c *compilation) gates() {
	for _, name := range sorted(c.cfg.Gates) {
		c.ev.in(lang.BlockGate, name)
		gb := c.cfg.Gates[name]
		b := gb.Body
		g := ir.Gate{Name: name, StepName: c.stepName("Gate", name, gb.DeclRange), Range: gb.DeclRange}
		g.FailStepName = c.stepName("Gate", ir.ID(name)+"-Failed", gb.DeclRange)
		g.Evaluation, _ = c.ev.ref(b.Evaluation, lang.BlockEvaluate, exists(c.cfg.Evaluations), "evaluation")
		g.Message, _ = c.ev.str(b.Message, "message")
		if g.Message == "" {
			g.Message = "Quality gate " + name + " failed."
		}
		if len(b.Thresholds) == 0 {
			c.ev.errorf(gb.DeclRange, "Gate without thresholds", "A gate needs at least one threshold, such as threshold \"accuracy\" { min = 0.9 }.")
		}
		seen := map[string]bool{}
		for _, t := range b.Thresholds {
			m, known := GateMetrics[t.Metric]
			if !known {
				c.ev.errorf(t.DeclRange, "Unknown metric", "%q is not a metric of the evaluation report. Metrics: %s.%s", t.Metric, strings.Join(gateMetricNames(), ", "), closest(t.Metric, gateMetricNames()))
				continue
			}
			if seen[t.Metric] {
				c.ev.errorf(t.DeclRange, "Duplicate threshold", "The gate already bounds %q.", t.Metric)
				continue
			}
			seen[t.Metric] = true
			hasMin, hasMax, hasVs := !isAbsent(t.Min), !isAbsent(t.Max), !isAbsent(t.VsApproved)
			if hasVs {
				if hasMin || hasMax {
					c.ev.errorf(t.DeclRange, "Threshold needs min or max", "Give exactly one of min, max or vs_approved for %q.", t.Metric)
					continue
				}
				delta, ok := c.ev.float(t.VsApproved, "vs_approved", -1e6, 1e6)
				if !ok {
					continue
				}
				if m.HigherBetter && delta > 0 || !m.HigherBetter && delta < 0 {
					c.ev.add(warnf(t.VsApproved.Range(), "Challenger must beat the champion", "vs_approved = %g asks %q to be strictly better than the approved model's by %g; a negative margin (higher-is-better) or positive one (latency) tolerates a small regression instead.", delta, t.Metric, math.Abs(delta)))
				}
				cmp := ir.AtLeast
				if !m.HigherBetter {
					cmp = ir.AtMost
				}
				g.Thresholds = append(g.Thresholds, ir.Threshold{Metric: t.Metric, JSONPath: m.JSONPath, Compare: cmp, Value: ir.Lit(delta), VsApproved: true, HigherBetter: m.HigherBetter})
				continue
			}
			if hasMin == hasMax {
				c.ev.errorf(t.DeclRange, "Threshold needs min or max", "Give exactly one of min, max or vs_approved for %q.", t.Metric)
				continue
			}
			expr, cmp := t.Min, ir.AtLeast
			if hasMax {
				expr, cmp = t.Max, ir.AtMost
			}
			if (cmp == ir.AtLeast) != m.HigherBetter {
				dir := map[bool]string{true: "min", false: "max"}[m.HigherBetter]
				c.ev.errorf(expr.Range(), "Threshold points the wrong way", "%q is better when %s, so bound it with %s.", t.Metric, map[bool]string{true: "higher", false: "lower"}[m.HigherBetter], dir)
				continue
			}
			v, ok := c.ev.runtimeValue(expr, cty.Number, "A gate threshold")
			if !ok {
				continue
			}
			if !v.IsRuntime() {
				if x, isNum := toFloat(v.Literal); isNum && m.HigherBetter && (x < 0 || x > 1) {
					c.ev.errorf(expr.Range(), "Threshold out of range", "%q is a ratio between 0 and 1; %g is outside.", t.Metric, x)
				} else if isNum && !m.HigherBetter && x <= 0 {
					c.ev.errorf(expr.Range(), "Threshold out of range", "%q is a latency in milliseconds; a bound of %g can never be met.", t.Metric, x)
				}
			}
			if len(v.Join) > 0 {
				c.ev.errorf(expr.Range(), "Invalid threshold", "A threshold is a number or a numeric pipeline parameter.")
				continue
			}
			if strings.HasPrefix(t.Metric, "out_of_scope_") && c.oosLabelOf(g.Evaluation) == "" {
				c.ev.errorf(t.DeclRange, "Out-of-scope metric without an out-of-scope label", "%q is measured on out-of-scope examples, but the model evaluate.%s measures has no export.out_of_scope_label, so the report leaves it out. Set out_of_scope_label in the finetune's export block, or bound another metric.", t.Metric, g.Evaluation)
				continue
			}
			g.Thresholds = append(g.Thresholds, ir.Threshold{Metric: t.Metric, JSONPath: m.JSONPath, Compare: cmp, Value: v, HigherBetter: m.HigherBetter})
		}
		sort.Slice(g.Thresholds, func(i, j int) bool { return g.Thresholds[i].Metric < g.Thresholds[j].Metric })
		c.p.Gates = append(c.p.Gates, g)
	}
}

func (c *compilation) tune(name string) (ir.FineTune, bool) {
	for _, f := range c.p.FineTunes {
		if f.Name == name {
			return f, true
		}
	}
	return ir.FineTune{}, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

var approvalStatuses = []string{"Approved", "PendingManualApproval", "Rejected"}

func (c *compilation) registers() {
	for _, name := range sorted(c.cfg.Registers) {
		c.ev.in(lang.BlockRegister, name)
		rb := c.cfg.Registers[name]
		b := rb.Body
		r := ir.Register{Name: name, StepName: c.stepName("Register", name, rb.DeclRange), Range: rb.DeclRange}
		r.Model, _ = c.ev.ref(b.Model, lang.BlockFineTune, exists(c.cfg.FineTunes), "model")
		r.Evaluation, _ = c.ev.ref(b.Evaluation, lang.BlockEvaluate, exists(c.cfg.Evaluations), "evaluation")
		r.Gates = c.ev.refs(b.Gates, lang.BlockGate, exists(c.cfg.Gates), "gates")
		if g, ok := c.ev.str(b.ModelPackageGroup, "model_package_group"); ok {
			if !packageGroupPattern.MatchString(g) {
				c.ev.errorf(b.ModelPackageGroup.Range(), "Invalid model package group name", "%q must be 1 to 63 letters, digits and hyphens, starting with a letter or digit.", g)
			}
			r.ModelPackageGroup = g
		}
		if v, ok := c.ev.runtimeValue(b.Approval, cty.String, "approval"); ok {
			if s, isStr := v.Literal.(string); isStr && !v.IsRuntime() && !contains(approvalStatuses, s) {
				c.ev.errorf(b.Approval.Range(), "Invalid approval status", "approval must be one of %s; %q is not.%s", strings.Join(approvalStatuses, ", "), s, closest(s, approvalStatuses))
			}
			if len(v.Join) > 0 {
				c.ev.errorf(b.Approval.Range(), "Invalid approval status", "approval is a status or a string parameter, not a joined string.")
			}
			if v.Param != "" {
				c.checkApprovalParam(v.Param, b.Approval.Range())
			}
			r.Approval = v
		}
		r.Description, _ = c.ev.str(b.Description, "description")
		if img, ok := c.ev.str(b.InferenceImage, "inference_image"); ok {
			if !ecrImagePattern.MatchString(img) {
				c.ev.errorf(b.InferenceImage.Range(), "Invalid image", "SageMaker pulls images from ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG; %q is not such a URI.", img)
			}
			r.InferenceImage = img
		} else if f, ok := c.tune(r.Model); ok && c.p.Project.Region != "" {
			r.InferenceImage, _ = inferenceImage(c.p.Project.Region, frameworkPins{f.Framework.PyTorch, f.Framework.Transformers, f.Framework.Python, f.Framework.CUDA})
		}
		r.InferenceInstanceTypes = []string{"ml.m5.large"}
		if its, ok := c.ev.strings(b.InferenceInstanceTypes, "inference_instance_types"); ok {
			for _, it := range its {
				if !instanceTypePattern.MatchString(it) {
					c.ev.errorf(b.InferenceInstanceTypes.Range(), "Invalid instance type", "%q is not a SageMaker instance type such as \"ml.m5.large\".", it)
				}
			}
			sort.Strings(its)
			r.InferenceInstanceTypes = its
		}
		r.Options = c.options(b.Retry, nil, false)
		c.checkGuard(&r, b.Gates.Range())
		c.p.Registers = append(c.p.Registers, r)
	}
}

// checkApprovalParam: a parameter used as the approval status may only
// take approval statuses, or CreateModelPackage fails at run time.
func (c *compilation) checkApprovalParam(param string, rng hcl.Range) {
	for _, p := range c.p.Parameters {
		if p.SageMaker != param {
			continue
		}
		values := append([]string(nil), p.Enum...)
		if d, ok := p.Default.(string); ok {
			values = append(values, d)
		}
		for _, v := range values {
			if !contains(approvalStatuses, v) {
				c.ev.errorf(rng, "Invalid approval status", "param.%s can be %q, which is not an approval status (%s). Restrict its enum and default to those.", p.Name, v, strings.Join(approvalStatuses, ", "))
				return
			}
		}
		if len(p.Enum) == 0 {
			c.ev.add(warnf(rng, "Unrestricted approval parameter", "param.%s accepts any string, but only %s are approval statuses; add enum = [...] so a run with a typo is refused before it starts.", p.Name, strings.Join(approvalStatuses, ", ")))
		}
	}
}

// checkGuard refuses a registration that no gate guards, and gates that
// measure another model than the one registered.
func (c *compilation) checkGuard(r *ir.Register, gatesRange hcl.Range) {
	if len(r.Gates) == 0 {
		c.ev.errorf(r.Range, "Registration not guarded by a quality gate", "register %q would put a model into the registry without checking its quality. Add gates = [gate.NAME] with a gate over evaluate.%s.", r.Name, r.Evaluation)
		return
	}
	evalModel := map[string]string{}
	for _, e := range c.p.Evaluations {
		evalModel[e.Name] = e.Model
	}
	gateEval := map[string]string{}
	for _, g := range c.p.Gates {
		gateEval[g.Name] = g.Evaluation
	}
	if r.Evaluation != "" && r.Model != "" && evalModel[r.Evaluation] != "" && evalModel[r.Evaluation] != r.Model {
		c.ev.errorf(r.Range, "Evaluation of another model", "register %q registers finetune %q but attaches evaluate %q, which measures finetune %q.", r.Name, r.Model, r.Evaluation, evalModel[r.Evaluation])
	}
	for _, g := range r.Gates {
		ev := gateEval[g]
		if ev == "" {
			continue
		}
		if m := evalModel[ev]; m != "" && r.Model != "" && m != r.Model {
			c.ev.errorf(gatesRange, "Gate measures another model", "gate %q reads evaluate %q of finetune %q, so it cannot guard the registration of finetune %q.", g, ev, m, r.Model)
		}
	}
}

// distribution decides how a training job scales: one process per NVIDIA
// GPU on every instance, launched by the Hugging Face container's
// torch_distributed (torchrun), the entry point averaging gradients across
// them and writing metrics, checkpoints and the export from rank 0. What
// cannot scale this way is refused rather than run as independent copies.
func (c *compilation) distribution(f *ir.FineTune, x *lang.Compute) {
	f.Processes = 1
	cp := f.Compute
	if instanceProblem(cp.InstanceType, true) != "" || x == nil {
		return
	}
	gpus := nvidiaGPUs(cp.InstanceType)
	switch {
	case f.Method == ir.MethodQLoRA && cp.InstanceCount > 1:
		c.ev.errorf(x.InstanceCount.Range(), "QLoRA cannot scale out", "method = \"qlora\" trains the 4-bit model in one process on one GPU, so instance_count = %d would run independent copies. Use instance_count = 1, or method = \"lora\", which trains data-parallel.", cp.InstanceCount)
	case f.Method == ir.MethodQLoRA && gpus > 1:
		c.ev.add(warnf(x.InstanceType.Range(), "QLoRA uses one GPU", "%s has %d GPUs, but method = \"qlora\" trains in one process on one of them; use a single-GPU instance (such as ml.g5.2xlarge), or method = \"lora\", which uses them all.", cp.InstanceType, gpus))
	case cp.InstanceCount > 1 && gpus == 0:
		c.ev.errorf(x.InstanceCount.Range(), "Distributed training needs GPUs", "instance_count = %d on %s: slm scales training out with torchrun over NCCL, one process per GPU, and %s has no NVIDIA GPU. Use a GPU instance type, or instance_count = 1.", cp.InstanceCount, cp.InstanceType, cp.InstanceType)
	case f.Method == ir.MethodLoRA:
		f.Processes = cp.InstanceCount * max(1, gpus)
	}
}

// oosLabelOf is the out-of-scope label of the model an evaluation measures
// ("" when it has none, or when the reference did not resolve).
func (c *compilation) oosLabelOf(evaluation string) string {
	for _, e := range c.p.Evaluations {
		if e.Name == evaluation {
			if f, ok := c.tune(e.Model); ok {
				return f.OOSLabel
			}
		}
	}
	return "?"
}

// baselines gives every gate with a vs_approved threshold its registry
// read: the group is that of the registrations the gate guards (one group:
// "the approved model" must be one model).
func (c *compilation) baselines() {
	for i := range c.p.Gates {
		g := &c.p.Gates[i]
		relative := false
		for _, t := range g.Thresholds {
			relative = relative || t.VsApproved
		}
		if !relative {
			continue
		}
		groups := map[string]bool{}
		for _, r := range c.p.Registers {
			if contains(r.Gates, g.Name) && r.ModelPackageGroup != "" {
				groups[r.ModelPackageGroup] = true
			}
		}
		names := sorted(groups)
		if len(names) != 1 {
			c.ev.errorf(g.Range, "No approved model to compare with", "gate %q bounds metrics with vs_approved, which compares with the latest approved model of the group its registration registers into; it guards registrations into %d groups (%s). Use it on one registration's chain.", g.Name, len(names), strings.Join(names, ", "))
			continue
		}
		cp := ir.Compute{InstanceType: "ml.t3.medium", InstanceCount: 1, VolumeSizeGB: 1, MaxRuntimeSeconds: 900}
		if img, ok := processingImage(c.p.Project.Region); ok {
			cp.Image = img
		}
		g.Baseline = &ir.Baseline{StepName: c.stepName("Baseline", ir.ID(g.Name), g.Range), PropertyFile: "Baseline-" + ir.ID(g.Name), ModelPackageGroup: names[0], Compute: cp}
	}
}

func neuronNote(instanceType string) string {
	if i, ok := LookupInstance(instanceType); ok && i.Accelerator == Trainium {
		return " (its Trainium chips need a Neuron image)"
	}
	return ""
}
