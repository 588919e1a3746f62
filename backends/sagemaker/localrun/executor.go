package localrun

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configure one execution.
type Options struct {
	// Definition is the pipeline definition (sagemaker/pipeline.json).
	Definition []byte
	// Files are the objects `slm plan` uploads (S3 URI -> content): the
	// step code and configuration, written into storage first.
	Files map[string][]byte
	// PipelineName is Execution.PipelineName.
	PipelineName string
	// Out is the run directory: executions/, cache/ and, unless set
	// apart, storage/ and registry/.
	Out string
	// Storage is the S3 root (default Out/storage); Registry the model
	// registry (default Out/registry).
	Storage, Registry string
	// Data seeds dataset locations before the run: NAME (a prepare
	// step's dataset, Prepare-NAME, or an s3:// URI) -> local file or
	// directory.
	Data map[string]string
	// Params override parameter defaults (NAME -> text).
	Params map[string]string
	// NoCache runs every step even where a cached run matches.
	NoCache bool
	// Parallel bounds the steps that run at once (default 2).
	Parallel int
	// Python runs the training code (default python3).
	Python string
	// HubModels maps a Hugging Face hub id to a local model folder, for
	// machines without the hub (training.go).
	HubModels map[string]string
	// GPU lets the training step see CUDA devices; off, it runs on CPU.
	GPU bool
	// Environ is the environment steps start from (os.Environ()).
	Environ []string
	// Events receives every event, from one goroutine at a time.
	Events func(Event)
	// ExecutionID names the execution (default: 12 random characters, as
	// SageMaker's).
	ExecutionID string
	// Now is the clock for cache expiry (default time.Now).
	Now func() time.Time
	// runners replace the process runners in tests of the scheduler.
	runners *runners
}

// Result is how an execution ended.
type Result struct {
	ExecutionID string
	Dir         string
	// Status is Succeeded or Failed.
	Status string
	// FailureReason: the Fail step's message or the failed step's error.
	FailureReason string
	// Steps by name: Succeeded, Cached, Failed or NotExecuted.
	Steps map[string]string
	// Registered lists the model packages written, as registry paths.
	Registered []string
	// Outputs: per step, each S3 location it wrote (or, cached, its
	// earlier run wrote) and the local path.
	Outputs map[string]map[string]string
}

// step states
const (
	statePending     = ""
	stateRunning     = "Running"
	stateSucceeded   = "Succeeded"
	stateCached      = "Cached"
	stateFailed      = "Failed"
	stateNotExecuted = "NotExecuted"
)

// execution is the state of one run.
type execution struct {
	opts    Options
	def     *Definition
	id      string
	dir     string
	storage Storage
	params  map[string]any

	mu sync.Mutex
	// state, properties and outcome per step.
	state   map[string]string
	props   map[string]map[string]any
	outcome map[string]bool
	// propertyFiles: step -> property file name -> local path.
	propertyFiles map[string]map[string]string
	failure       string
	registered    []string
	emitMu        sync.Mutex
}

// Run checks the definition and the inputs, then executes it. An error
// means nothing ran (bad input, an unsupported construct); a run whose
// step or gate fails returns a Result with Status Failed.
func Run(ctx context.Context, opts Options) (*Result, error) {
	def, unsupported, err := ParseDefinition(opts.Definition)
	if err != nil {
		return nil, err
	}
	if err := check(def, unsupported); err != nil {
		return nil, err
	}
	params, err := resolveParameters(def.Parameters, opts.Params)
	if err != nil {
		return nil, err
	}
	if opts.Out == "" {
		return nil, errors.New("no run directory")
	}
	if opts.Storage == "" {
		opts.Storage = filepath.Join(opts.Out, "storage")
	}
	if opts.Registry == "" {
		opts.Registry = filepath.Join(opts.Out, "registry")
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 2
	}
	if opts.Python == "" {
		opts.Python = "python3"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Events == nil {
		opts.Events = func(Event) {}
	}
	if opts.runners == nil {
		opts.runners = &runners{processing: runProcessing, training: runTraining}
	}
	id := opts.ExecutionID
	if id == "" {
		id = newExecutionID()
	}
	x := &execution{
		opts: opts, def: def, id: id, storage: Storage{Root: opts.Storage}, params: params,
		dir:   filepath.Join(opts.Out, "executions", id),
		state: map[string]string{}, props: map[string]map[string]any{}, outcome: map[string]bool{},
		propertyFiles: map[string]map[string]string{},
	}
	seeds, err := x.resolveData()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(x.dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the execution directory: %w", err)
	}
	for _, uri := range sortedKeys(opts.Files) {
		p, err := x.storage.Path(uri)
		if err != nil {
			return nil, fmt.Errorf("step code %s: %w", uri, err)
		}
		if err := writeFileAtomic(p, opts.Files[uri]); err != nil {
			return nil, fmt.Errorf("writing step code %s: %w", uri, err)
		}
	}
	for _, s := range seeds {
		if err := x.storage.seed(s.path, s.uri); err != nil {
			return nil, fmt.Errorf("--data %s=%s: copying to %s: %w", s.name, s.path, s.uri, err)
		}
	}
	x.emit(Event{Event: "execution_started", ExecutionID: id, Dir: x.dir})
	x.schedule(ctx)
	res := &Result{ExecutionID: id, Dir: x.dir, Steps: map[string]string{}, Registered: x.registered, Outputs: map[string]map[string]string{}}
	for n, props := range x.props {
		if s := def.all[n]; s.Type == "Processing" || s.Type == "Training" {
			res.Outputs[n] = x.outputs(s, props)
		}
	}
	for _, n := range def.names() {
		st := x.state[n]
		if st == statePending {
			st = stateNotExecuted
		}
		res.Steps[n] = st
	}
	res.Status, res.FailureReason = "Succeeded", x.failure
	if x.failure != "" || ctx.Err() != nil {
		res.Status = "Failed"
		if res.FailureReason == "" {
			res.FailureReason = "interrupted: " + ctx.Err().Error()
		}
	}
	summary, _ := json.MarshalIndent(res, "", "  ")
	_ = writeFileAtomic(filepath.Join(x.dir, "execution.json"), append(summary, '\n'))
	if res.Status == "Succeeded" {
		x.emit(Event{Event: "execution_succeeded", ExecutionID: id, Dir: x.dir})
	} else {
		x.emit(Event{Event: "execution_failed", ExecutionID: id, Dir: x.dir, Message: res.FailureReason})
	}
	return res, nil
}

type seed struct{ name, path, uri string }

// resolveData finds the S3 location each --data NAME seeds: the raw input
// of step Prepare-NAME (its S3Uri evaluated with the parameters), or NAME
// itself when it is an s3:// URI.
func (x *execution) resolveData() ([]seed, error) {
	var out []seed
	var problems []string
	for _, name := range sortedKeys(x.opts.Data) {
		path := x.opts.Data[name]
		if _, err := os.Stat(path); err != nil {
			problems = append(problems, fmt.Sprintf("--data %s=%s: %v", name, path, err))
			continue
		}
		if strings.HasPrefix(name, "s3://") {
			out = append(out, seed{name, path, name})
			continue
		}
		s := x.def.all["Prepare-"+name]
		var uri any
		if s != nil && s.Type == "Processing" {
			for _, in := range asList(s.Arguments["ProcessingInputs"]) {
				m, _ := in.(map[string]any)
				if str(m["InputName"]) == "raw" {
					s3, _ := m["S3Input"].(map[string]any)
					uri = s3["S3Uri"]
				}
			}
		}
		if uri == nil {
			problems = append(problems, fmt.Sprintf("--data %s=%s: the pipeline has no dataset %s (it has %s); NAME is a dataset's name or an s3:// URI", name, path, name, strings.Join(x.datasets(), ", ")))
			continue
		}
		v, err := evaluator{r: x}.eval(uri)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--data %s: its location: %v", name, err))
			continue
		}
		u, _ := v.(string)
		if !strings.HasPrefix(u, "s3://") {
			problems = append(problems, fmt.Sprintf("--data %s: its location %v is not an s3:// URI", name, v))
			continue
		}
		out = append(out, seed{name, path, u})
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

func (x *execution) datasets() []string {
	var out []string
	for _, n := range x.def.names() {
		if d, ok := strings.CutPrefix(n, "Prepare-"); ok {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// schedule runs the steps: each starts once its dependencies succeeded
// (and, in a branch, once its Condition chose that branch), at most
// Parallel at a time. After a failure no step starts; running ones end.
func (x *execution) schedule(ctx context.Context) {
	type done struct {
		name string
		err  error
	}
	results := make(chan done)
	running := 0
	for {
		stopping := x.failure != "" || ctx.Err() != nil
		if !stopping {
			for _, n := range x.ready() {
				if running >= x.opts.Parallel {
					break
				}
				s := x.def.all[n]
				x.setState(n, stateRunning)
				running++
				go func() { results <- done{name: n, err: x.runStep(ctx, s)} }()
			}
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		x.finish(x.def.all[r.name], r.err)
	}
	for _, n := range x.def.names() {
		if x.state[n] == statePending {
			x.state[n] = stateNotExecuted
			x.emit(Event{Event: "step_not_executed", Step: n, StepType: x.def.all[n].Type})
		}
	}
}

func (x *execution) setState(n, st string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.state[n] = st
}

func (x *execution) finish(s *Step, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err != nil {
		x.state[s.Name] = stateFailed
		var fe failError
		if errors.As(err, &fe) {
			if x.failure == "" {
				x.failure = fe.message
			}
			return
		}
		if x.failure == "" {
			x.failure = fmt.Sprintf("step %s failed: %v", s.Name, err)
		}
		return
	}
	if x.state[s.Name] == stateRunning {
		x.state[s.Name] = stateSucceeded
	}
}

// failError is a Fail step reached.
type failError struct{ message string }

func (e failError) Error() string { return e.message }

// ready lists the pending steps whose dependencies all succeeded, by name.
func (x *execution) ready() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	for _, n := range x.def.names() {
		if x.state[n] != statePending {
			continue
		}
		s := x.def.all[n]
		ok := true
		for _, d := range s.deps() {
			st := x.state[d]
			if st != stateSucceeded && st != stateCached {
				ok = false
				break
			}
		}
		if ok && s.parent != "" && x.outcome[s.parent] != s.branch {
			ok = false
		}
		if ok {
			out = append(out, n)
		}
	}
	return out
}

// runStep executes one step and records its properties.
func (x *execution) runStep(ctx context.Context, s *Step) error {
	start := time.Now()
	dir := filepath.Join(x.dir, "steps", s.Name)
	logPath := filepath.Join(dir, "log.txt")
	if s.Type != "Processing" && s.Type != "Training" {
		// Jobs say they started once they know they are not cached.
		x.emit(Event{Event: "step_started", Step: s.Name, StepType: s.Type})
	}
	var err error
	switch s.Type {
	case "Condition":
		err = x.runCondition(s)
	case "Fail":
		err = x.runFail(s)
	case "RegisterModel":
		err = x.runRegister(s)
	case "Processing", "Training":
		err = x.runJob(ctx, s, dir, logPath)
	default:
		err = fmt.Errorf("step type %s is not supported", s.Type)
	}
	secs := time.Since(start).Seconds()
	var fe failError
	switch {
	case errors.As(err, &fe):
		x.emit(Event{Event: "step_failed", Step: s.Name, StepType: s.Type, Message: fe.message, Seconds: secs})
	case err != nil:
		x.emit(Event{Event: "step_failed", Step: s.Name, StepType: s.Type, Message: err.Error(), Seconds: secs, Log: logPath})
	}
	return err
}

func (x *execution) runCondition(s *Step) error {
	ok, results, err := evalConditions(evaluator{r: x}, asList(s.Arguments["Conditions"]))
	if err != nil {
		return fmt.Errorf("evaluating the conditions: %w", err)
	}
	x.mu.Lock()
	x.outcome[s.Name] = ok
	x.props[s.Name] = map[string]any{"Outcome": ok}
	x.mu.Unlock()
	x.emit(Event{Event: "condition_evaluated", Step: s.Name, StepType: s.Type, Outcome: &ok, Conditions: results})
	x.emit(Event{Event: "step_succeeded", Step: s.Name, StepType: s.Type})
	return nil
}

func (x *execution) runFail(s *Step) error {
	msg, err := evaluator{r: x}.eval(s.Arguments["ErrorMessage"])
	if err != nil {
		return fmt.Errorf("evaluating the error message: %w", err)
	}
	text, _ := render(msg)
	return failError{message: text}
}

// emit sends an event; one at a time.
func (x *execution) emit(e Event) {
	x.emitMu.Lock()
	defer x.emitMu.Unlock()
	x.opts.Events(e)
}

// resolver

func (x *execution) parameter(name string) (any, bool) {
	v, ok := x.params[name]
	return v, ok
}

func (x *execution) execution(name string) string {
	switch name {
	case "PipelineExecutionId":
		return x.id
	case "PipelineName":
		return x.opts.PipelineName
	case "PipelineArn":
		return "arn:aws:sagemaker:local:000000000000:pipeline/" + strings.ToLower(x.opts.PipelineName)
	case "PipelineExecutionArn":
		return "arn:aws:sagemaker:local:000000000000:pipeline/" + strings.ToLower(x.opts.PipelineName) + "/execution/" + x.id
	}
	return ""
}

func (x *execution) stepProperty(step string, path []segment) (any, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if path[0].key == "PropertyFiles" && len(path) == 2 {
		p, ok := x.propertyFiles[step][path[1].key]
		if !ok {
			return nil, fmt.Errorf("reading Get Steps.%s.PropertyFiles.%s: the step has not written it", step, path[1].key)
		}
		return propertyFileRef{step: step, name: path[1].key, path: p}, nil
	}
	props, ok := x.props[step]
	if !ok {
		return nil, fmt.Errorf("reading Get Steps.%s.%s: step %s has not run", step, pathString(path), step)
	}
	v, err := walkProperties(props, path)
	if err != nil {
		return nil, fmt.Errorf("reading Get Steps.%s.%s: %w", step, pathString(path), err)
	}
	return v, nil
}

func newExecutionID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
