package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/sagemaker/defcheck"
	"github.com/slm-project/slm/backends/sagemaker/localrun"
	"github.com/slm-project/slm/deploy/planner"
)

// runFlags are the flags of `slm run` beyond the variables and code.
type runFlags struct {
	out, storage, registry, python string
	data, params, hubModels        []string
	noCache, asJSON, gpu           bool
	parallel                       int
}

func (a *app) runCommand() *cobra.Command {
	var (
		vf varFlags
		cf planner.CodeOptions
		rf runFlags
	)
	cmd := &cobra.Command{
		Use:   "run [DIR]",
		Short: "Execute the pipeline on this machine: the definition plan writes, with S3 mapped to a directory",
		Long: `run compiles the configuration as plan does and executes the SageMaker pipeline
definition it produces on this machine (SPEC.md section 6): steps in dependency
order, parameters, conditions, Fail steps, registration into a local model
registry and step caching as SageMaker defines them. S3 locations map to
--storage (s3://BUCKET/KEY is STORAGE/BUCKET/KEY); --data NAME=PATH copies local
data to where dataset NAME is read. Processing steps run this slm binary; the
training step runs the training code with the given Python on CPU.
Exit status 0 when the pipeline succeeds, 1 when a step or a gate fails.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runPipeline(cmd.Context(), configDir(args), vf, cf, rf)
		},
	}
	vf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&rf.out, "out", "build/run", "the run `DIR`: executions/ (logs, step directories), cache/, and storage/ and registry/ by default")
	f.StringVar(&rf.storage, "storage", "", "the `DIR` S3 maps to (default OUT/storage)")
	f.StringVar(&rf.registry, "registry", "", "the local model registry `DIR` (default OUT/registry)")
	f.StringArrayVar(&rf.data, "data", nil, "seed a dataset's location from local files: `NAME=PATH` (NAME: a dataset block, or an s3:// URI; repeatable)")
	f.StringArrayVar(&rf.params, "param", nil, "override a pipeline parameter: `NAME=VALUE` (its SageMaker name, e.g. MinAccuracy; repeatable)")
	f.BoolVar(&rf.noCache, "no-cache", false, "run every step, even those a cached run matches")
	f.BoolVar(&rf.asJSON, "json", false, "print events as JSON, one object a line")
	f.IntVar(&rf.parallel, "parallel", 2, "steps that may run at once")
	f.StringVar(&rf.python, "python", "", "the Python that runs the training code (default .venv/bin/python if present, else python3)")
	f.StringArrayVar(&rf.hubModels, "hub-model", nil, "load a Hugging Face hub model from a local folder: `ID=DIR` (repeatable)")
	f.BoolVar(&rf.gpu, "gpu", false, "let the training step use CUDA devices (default: CPU)")
	f.StringVar(&cf.Runner, "runner", "", "linux/amd64 slm binary that runs the Go steps (default: this binary)")
	f.StringVar(&cf.ORTLib, "ort-lib", "", "libonnxruntime.so.1 for evaluate")
	return cmd
}

func (a *app) runPipeline(ctx context.Context, dir string, vf varFlags, cf planner.CodeOptions, rf runFlags) error {
	params, err := localrun.ParseAssignments("param", rf.params)
	if err != nil {
		return err
	}
	data, err := localrun.ParseAssignments("data", rf.data)
	if err != nil {
		return err
	}
	hub, err := localrun.ParseAssignments("hub-model", rf.hubModels)
	if err != nil {
		return err
	}
	for id, p := range hub {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			return fmt.Errorf("--hub-model %s=%s: not a model folder", id, p)
		}
	}
	res := a.load(ctx, dir, vf, false)
	if res.Diags.HasErrors() || res.Pipeline == nil {
		if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
			return err
		}
		return exitError{code: 1}
	}
	if len(res.Diags) > 0 {
		if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
			return err
		}
	}
	cf.Environ = a.environ
	code, err := planner.ResolveCode(cf)
	if err != nil {
		return err
	}
	sm, err := sagemaker.Generate(res.Pipeline, code)
	if err != nil {
		return fmt.Errorf("generating the SageMaker pipeline: %w", err)
	}
	checker, err := defcheck.New()
	if err != nil {
		return fmt.Errorf("loading the pipeline definition checker: %w", err)
	}
	if problems := checker.Check(sm.Definition); len(problems) > 0 {
		return fmt.Errorf("the generated SageMaker pipeline definition is invalid; this is a bug in slm: %v", problems)
	}
	files := map[string][]byte{}
	for _, u := range sm.Uploads {
		f := sm.Files[u.URI]
		if f.ByRef() {
			// The runner and ONNX Runtime are named by digest; a local
			// run needs their bytes, checked against the digest.
			if f.Content, err = planner.ReadSource(f, a.environ); err != nil {
				return err
			}
		}
		files[u.URI] = f.Content
	}
	python := rf.python
	if python == "" {
		python = "python3"
		if p, err := filepath.Abs(filepath.Join(".venv", "bin", "python")); err == nil {
			if _, err := os.Stat(p); err == nil {
				python = p
			}
		}
	}
	out, err := filepath.Abs(rf.out)
	if err != nil {
		return err
	}
	abs := func(p string) string {
		if p == "" {
			return ""
		}
		q, _ := filepath.Abs(p)
		return q
	}
	view := newRunView(a.stdout, rf.asJSON)
	result, err := localrun.Run(ctx, localrun.Options{
		Definition: sm.Definition, Files: files, PipelineName: res.Pipeline.Project.PipelineName,
		Out: out, Storage: abs(rf.storage), Registry: abs(rf.registry),
		Data: data, Params: params, NoCache: rf.noCache, Parallel: rf.parallel,
		Python: python, HubModels: hub, GPU: rf.gpu, Environ: a.environ, Events: view.event,
	})
	var ue *localrun.UnsupportedError
	if errors.As(err, &ue) {
		fmt.Fprintln(a.stderr, "Error: "+ue.Error())
		return exitError{code: 1}
	}
	if err != nil {
		return err
	}
	if result.Status != "Succeeded" {
		return exitError{code: 1}
	}
	return nil
}

// runView renders execution events: a line per step start and end, the
// steps' progress, gate verdicts and registrations; or JSON lines.
type runView struct {
	w      io.Writer
	asJSON bool
	// training progress, per step: the plan the training code announced
	// ("slm_train: training N steps, M per epoch") and when it did.
	plans map[string]trainingPlan
	now   func() time.Time
}

type trainingPlan struct {
	total, perEpoch, startStep int
	start                      time.Time
}

var trainingPlanLine = regexp.MustCompile(`^slm_train: training (\d+) steps, (\d+) per epoch`)
var resumedLine = regexp.MustCompile(`^slm_train: resumed from .* at step (\d+) of`)

func newRunView(w io.Writer, asJSON bool) *runView {
	return &runView{w: w, asJSON: asJSON, plans: map[string]trainingPlan{}, now: time.Now}
}

// progress says where a training step is: epoch, step of total, and the
// time left at the rate so far.
func (v *runView) progress(step string, at int) string {
	p, ok := v.plans[step]
	if !ok || p.total == 0 || p.perEpoch == 0 {
		return fmt.Sprintf("step %d", at)
	}
	s := fmt.Sprintf("epoch %.2f, step %d/%d", float64(at)/float64(p.perEpoch), at, p.total)
	if done := at - p.startStep; done > 0 {
		left := time.Duration(float64(v.now().Sub(p.start)) / float64(done) * float64(p.total-at))
		s += ", eta " + left.Round(time.Second).String()
	}
	return s
}

func (v *runView) event(e localrun.Event) {
	if v.asJSON {
		b, err := json.Marshal(e)
		if err == nil {
			fmt.Fprintf(v.w, "%s\n", b)
		}
		return
	}
	switch e.Event {
	case "execution_started":
		fmt.Fprintf(v.w, "Execution %s (%s)\n", e.ExecutionID, e.Dir)
	case "step_started":
		if e.StepType == "Processing" || e.StepType == "Training" {
			fmt.Fprintf(v.w, "%s: started (%s; log %s)\n", e.Step, strings.ToLower(e.StepType), e.Log)
		}
	case "step_log":
		if m := resumedLine.FindStringSubmatch(e.Message); m != nil {
			p := v.plans[e.Step]
			p.startStep, _ = strconv.Atoi(m[1])
			v.plans[e.Step] = p
		}
		if m := trainingPlanLine.FindStringSubmatch(e.Message); m != nil {
			p := v.plans[e.Step]
			p.total, _ = strconv.Atoi(m[1])
			p.perEpoch, _ = strconv.Atoi(m[2])
			p.start = v.now()
			v.plans[e.Step] = p
		}
		// The training code's own messages and the Go steps' output;
		// library warnings stay in the step's log.
		if e.StepType == "Processing" || strings.HasPrefix(e.Message, "slm_train:") {
			fmt.Fprintf(v.w, "  %s | %s\n", e.Step, e.Message)
		}
	case "step_metric":
		m := e.Metric
		if m.Step > 0 {
			fmt.Fprintf(v.w, "  %s | %s: %s=%.4g\n", e.Step, v.progress(e.Step, m.Step), m.Name, m.Value)
		} else {
			fmt.Fprintf(v.w, "  %s | %s=%.4g\n", e.Step, m.Name, m.Value)
		}
	case "step_succeeded":
		if e.StepType == "Processing" || e.StepType == "Training" {
			fmt.Fprintf(v.w, "%s: succeeded in %.1fs\n", e.Step, e.Seconds)
			printOutputs(v.w, e.Outputs)
		}
	case "step_cached":
		fmt.Fprintf(v.w, "%s: cached (the run of execution %s)\n", e.Step, e.CachedFrom)
		printOutputs(v.w, e.Outputs)
	case "step_failed":
		if e.StepType == "Fail" {
			fmt.Fprintf(v.w, "%s: %s\n", e.Step, e.Message)
			return
		}
		fmt.Fprintf(v.w, "%s: FAILED: %s\n", e.Step, e.Message)
	case "step_not_executed":
		fmt.Fprintf(v.w, "%s: not executed\n", e.Step)
	case "condition_evaluated":
		verdict := "false: the else branch runs"
		if *e.Outcome {
			verdict = "true: the if branch runs"
		}
		fmt.Fprintf(v.w, "%s: %s\n", e.Step, verdict)
		for _, c := range e.Conditions {
			printCondition(v.w, c, "  ")
		}
	case "registered":
		fmt.Fprintf(v.w, "%s: registered %s: %s\n", e.Step, e.Message, e.Registered)
	case "execution_succeeded":
		fmt.Fprintf(v.w, "Pipeline succeeded. Logs and step directories: %s\n", e.Dir)
	case "execution_failed":
		fmt.Fprintf(v.w, "Pipeline failed: %s\nLogs and step directories: %s\n", e.Message, e.Dir)
	}
}

func printOutputs(w io.Writer, outs map[string]string) {
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  -> %s\n", outs[k])
	}
}

func printCondition(w io.Writer, c localrun.ConditionResult, indent string) {
	mark := "FAIL"
	if c.Outcome {
		mark = "ok"
	}
	switch c.Type {
	case "Not", "Or":
		fmt.Fprintf(w, "%s%s [%s]\n", indent, c.Type, mark)
		for _, n := range c.Nested {
			printCondition(w, n, indent+"  ")
		}
		return
	}
	ops := map[string]string{"Equals": "==", "GreaterThan": ">", "GreaterThanOrEqualTo": ">=", "LessThan": "<", "LessThanOrEqualTo": "<=", "In": "in"}
	what := c.What
	if what == "" {
		what = fmt.Sprint(c.Left)
	} else {
		what = fmt.Sprintf("%s %v", what, c.Left)
	}
	fmt.Fprintf(w, "%s%s %s %v [%s]\n", indent, what, ops[c.Type], c.Right, mark)
}
