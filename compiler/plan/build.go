package plan

import (
	"fmt"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// Build summarises a compiled pipeline and its uploads as a plan.
func Build(p *ir.Pipeline, uploads []artifact.Upload) *Plan {
	pl := &Plan{
		FormatVersion: FormatVersion,
		Pipeline:      p.Project.PipelineName,
		Target: PipelineTarget{
			Action: Create, Name: p.Project.PipelineName, RoleARN: p.Project.ExecutionRoleARN,
			MaxParallel: p.Project.MaxParallelSteps, Description: p.Project.Description,
		},
		State:        State{Reads: []Observed{}},
		Environment:  p.Project.Environment,
		Region:       p.Project.Region,
		Account:      p.Project.Account,
		ConfigSHA256: p.SourceDigest,
		Variables:    []Variable{},
		Parameters:   []Parameter{},
		Steps:        []Step{},
		Gates:        []Gate{},
		Uploads:      []Upload{},
		Resources:    []Resource{},
		Artifacts:    []Artifact{},
	}
	for _, l := range p.Project.ReadAccess {
		pl.ReadAccess = append(pl.ReadAccess, l.URI)
	}
	for _, v := range p.Variables {
		pl.Variables = append(pl.Variables, Variable{Name: v.Name, Value: v.Display, Source: v.Source, Overrode: v.Overrode})
	}
	paramNames := map[string]string{}
	for _, pr := range p.Parameters {
		paramNames[pr.SageMaker] = pr.Name
		d := ""
		if pr.Default != nil {
			d = fmt.Sprint(pr.Default)
		}
		pl.Parameters = append(pl.Parameters, Parameter{Name: pr.SageMaker, Type: string(pr.Type), Default: d, Enum: pr.Enum})
	}
	show := func(v ir.Value) string { return showValue(v, paramNames) }
	details := stepDetails(p, show)
	for _, s := range p.Steps {
		pl.Steps = append(pl.Steps, Step{Action: Create, Name: s.Name, Type: string(s.Kind), Block: s.Block, DependsOn: s.DependsOn, Details: details[s.Name]})
	}
	for _, g := range p.Gates {
		gt := Gate{Name: g.Name, Step: g.StepName, Evaluation: g.Evaluation, Thresholds: []string{}, Guards: []string{}}
		for _, t := range g.Thresholds {
			op := ">="
			if t.Compare == ir.AtMost {
				op = "<="
			}
			gt.Thresholds = append(gt.Thresholds, fmt.Sprintf("%s %s %s", t.Metric, op, show(t.Value)))
		}
		for _, r := range p.Registers {
			for _, rg := range r.Gates {
				if rg == g.Name {
					gt.Guards = append(gt.Guards, "register."+r.Name)
				}
			}
		}
		for _, e := range p.EdgeTargets {
			for _, eg := range e.Guards {
				if eg == g.Name {
					gt.Guards = append(gt.Guards, "edge_target."+e.Name)
				}
			}
		}
		pl.Gates = append(pl.Gates, gt)
	}
	for _, u := range uploads {
		pl.Uploads = append(pl.Uploads, Upload{Action: Create, Upload: u})
	}
	return pl
}

// showValue writes a value as a reviewer would read it: literals as
// written, parameters by their HCL name with the default they start from.
func showValue(v ir.Value, paramNames map[string]string) string {
	switch {
	case v.Param != "":
		return "param." + paramNames[v.Param]
	case len(v.Join) > 0:
		var b strings.Builder
		b.WriteString(`"`)
		for _, p := range v.Join {
			if p.Param != "" {
				b.WriteString("${param." + paramNames[p.Param] + "}")
			} else {
				b.WriteString(fmt.Sprint(p.Literal))
			}
		}
		b.WriteString(`"`)
		return b.String()
	}
	if s, ok := v.Literal.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v.Literal)
}

func compute(c ir.Compute) string {
	s := fmt.Sprintf("%s x%d, %d GB, max %s", c.InstanceType, c.InstanceCount, c.VolumeSizeGB, seconds(c.MaxRuntimeSeconds))
	if c.Spot {
		s += fmt.Sprintf(", spot (max wait %s)", seconds(c.MaxWaitSeconds))
	}
	return s
}

func seconds(s int) string {
	switch {
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}

func opts(o ir.StepOptions) []string {
	var out []string
	for _, r := range o.Retry {
		out = append(out, fmt.Sprintf("retry %s up to %d times (every %ds, backoff x%g)", strings.Join(r.ExceptionTypes, ", "), r.MaxAttempts, r.IntervalSeconds, r.BackoffRate))
	}
	if o.CacheExpireAfter != "" {
		out = append(out, "cached for "+o.CacheExpireAfter)
	}
	return out
}

func stepDetails(p *ir.Pipeline, show func(ir.Value) string) map[string][]string {
	d := map[string][]string{}
	datasets := map[string]ir.Dataset{}
	for _, x := range p.Datasets {
		datasets[x.Name] = x
	}
	storage := map[string]ir.Storage{}
	for _, s := range p.Storage {
		storage[s.Name] = s
	}
	for _, x := range p.Prepares {
		ds := datasets[x.Dataset]
		d[x.StepName] = append([]string{
			compute(x.Compute),
			fmt.Sprintf("dataset %s (%s, text %q, label %q) from %s", ds.Name, ds.Format, ds.TextField, ds.LabelField, show(ds.Source)),
			fmt.Sprintf("split train/validation/test %g/%g/%g, stratified %t, seed %d", x.Split.Train, x.Split.Validation, x.Split.Test, x.Split.Stratify, x.Split.Seed),
			"writes to " + storage[x.Output].URI + p.Project.PipelineName + "/<execution>/prepare-" + x.Name + "/",
		}, opts(x.Options)...)
	}
	for _, x := range p.FineTunes {
		base := x.BaseModel.HubID + "@" + short(x.BaseModel.Revision)
		if x.BaseModel.S3URI != "" {
			base = x.BaseModel.S3URI
		}
		lines := []string{
			compute(x.Compute),
			fmt.Sprintf("%s on %s (%s pooling): r=%d alpha=%d dropout=%g modules=%s", x.Method, base, x.BaseModel.Pooling, x.LoRA.R, x.LoRA.Alpha, x.LoRA.Dropout, strings.Join(x.LoRA.TargetModules, ",")),
			fmt.Sprintf("%d epochs, lr %g, batch %d, max_seq_length %d, seed %d", x.Hyper.Epochs, x.Hyper.LearningRate, x.Hyper.BatchSize, x.MaxSeqLength, x.Hyper.Seed),
			"image " + x.Compute.Image,
		}
		if x.Processes > 1 {
			lines = append(lines, fmt.Sprintf("data-parallel (torchrun): %d processes (%d instances x %d GPUs), global batch %d; rank 0 writes metrics, checkpoints and the export",
				x.Processes, x.Compute.InstanceCount, x.Processes/x.Compute.InstanceCount, x.Hyper.BatchSize*x.Processes))
		}
		if x.CheckpointURI != "" {
			lines = append(lines, "checkpoints "+x.CheckpointURI)
		}
		exp := "exports ONNX bundle (fp32)"
		if x.QuantizeInt8 {
			exp = "exports ONNX bundles (fp32, int8)"
		}
		exp += fmt.Sprintf("; %q threshold costs at most %g in-scope accuracy on validation", x.OOSLabel, x.OOSMaxInScopeDrop)
		d[x.StepName] = append(append(lines, exp), opts(x.Options)...)
	}
	for _, x := range p.Evaluations {
		d[x.StepName] = append([]string{compute(x.Compute), "measures the " + x.Variant + " bundle of finetune." + x.Model + " on the test split of prepare." + x.Data}, opts(x.Options)...)
	}
	for _, g := range p.Gates {
		var th []string
		for _, t := range g.Thresholds {
			op := ">="
			if t.Compare == ir.AtMost {
				op = "<="
			}
			th = append(th, fmt.Sprintf("%s %s %s", t.Metric, op, show(t.Value)))
		}
		d[g.StepName] = []string{"passes when " + strings.Join(th, " and ")}
		d[g.FailStepName] = []string{"fails the execution: " + g.Message}
	}
	for _, r := range p.Registers {
		d[r.StepName] = append([]string{
			fmt.Sprintf("model package group %s, approval %s", r.ModelPackageGroup, show(r.Approval)),
			"guarded by gate." + strings.Join(r.Gates, ", gate."),
		}, opts(r.Options)...)
	}
	return d
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
