// Package sagemaker emits the SageMaker Pipeline definition (the JSON that
// CreatePipeline takes, schema version 2020-12-01) from the IR. It is a pure
// function of the IR and the step code it is given.
package sagemaker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// DefinitionVersion is the pipeline definition schema version emitted.
const DefinitionVersion = "2020-12-01"

// InlineLimit is the largest definition CreatePipeline accepts inline; a
// larger one must go through PipelineDefinitionS3Location.
const InlineLimit = 1048576

// Code is the step code the pipeline runs, given by the caller so this
// package stays pure: the slm binary that runs the Go steps (linux/amd64),
// the ONNX Runtime library evaluate needs next to it, and the training
// source directory archive.
type Code struct {
	Runner         []byte
	ORTLibrary     []byte
	TrainingSource []byte
	// RunnerFile and ORTLibraryFile, when set, give the runner and the
	// library by reference (artifact.Ref) instead of by their bytes.
	RunnerFile, ORTLibraryFile *artifact.File
}

// Result is what the backend produces.
type Result struct {
	// Definition is the pipeline definition JSON, indented for review.
	Definition []byte
	// Size is the length of the compact definition, which is what
	// CreatePipeline counts against InlineLimit.
	Size int
	// OverInlineLimit says the definition must be passed to SageMaker
	// through an S3 location rather than inline.
	OverInlineLimit bool
	// Files are the artifacts to upload, keyed by their S3 URI.
	Files   map[string]artifact.File
	Uploads []artifact.Upload
}

// Generate emits the pipeline definition.
func Generate(p *ir.Pipeline, code Code) (*Result, error) {
	if p.Project.ExecutionRoleARN == "" {
		return nil, fmt.Errorf("the pipeline definition names its execution role by ARN, which needs the AWS account: set account in the project block")
	}
	g := &generator{p: p, res: &Result{Files: map[string]artifact.File{}}}
	if err := g.index(); err != nil {
		return nil, err
	}
	runner := artifact.File{Content: code.Runner}
	if code.RunnerFile != nil {
		runner = *code.RunnerFile
	}
	runner.Role, runner.Name = "step runner (slm, linux/amd64)", "slm"
	ort := artifact.File{Content: code.ORTLibrary}
	if code.ORTLibraryFile != nil {
		ort = *code.ORTLibraryFile
	}
	ort.Role, ort.Name = "ONNX Runtime library for evaluate", "libonnxruntime.so.1"
	g.runner = g.upload(runner)
	g.ortLib = g.upload(ort)
	g.trainingSource = g.upload(artifact.File{Role: "training code (sourcedir.tar.gz)", Name: "sourcedir.tar.gz", Content: code.TrainingSource})
	def, err := g.definition()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(def); err != nil {
		return nil, fmt.Errorf("encoding the pipeline definition: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("compacting the pipeline definition: %w", err)
	}
	g.res.Definition = buf.Bytes()
	g.res.Size = len([]rune(compact.String()))
	g.res.OverInlineLimit = g.res.Size > InlineLimit
	artifact.Sort(g.res.Uploads)
	return g.res, nil
}

type generator struct {
	p   *ir.Pipeline
	res *Result

	runner, ortLib, trainingSource string // S3 URIs
	codePrefix                     string

	storage   map[string]ir.Storage
	prepares  map[string]ir.Prepare
	datasets  map[string]ir.Dataset
	tunes     map[string]ir.FineTune
	evals     map[string]ir.Evaluate
	gates     map[string]ir.Gate
	registers map[string]ir.Register
}

// byName indexes IR blocks by their names.
func byName[T any](xs []T, name func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		m[name(x)] = x
	}
	return m
}

func (g *generator) index() error {
	g.storage = byName(g.p.Storage, func(x ir.Storage) string { return x.Name })
	g.prepares = byName(g.p.Prepares, func(x ir.Prepare) string { return x.Name })
	g.datasets = byName(g.p.Datasets, func(x ir.Dataset) string { return x.Name })
	g.tunes = byName(g.p.FineTunes, func(x ir.FineTune) string { return x.Name })
	g.evals = byName(g.p.Evaluations, func(x ir.Evaluate) string { return x.Name })
	g.gates = byName(g.p.Gates, func(x ir.Gate) string { return x.Name })
	g.registers = byName(g.p.Registers, func(x ir.Register) string { return x.Name })
	art, ok := g.storage[g.p.Project.ArtifactStorage]
	if !ok {
		return fmt.Errorf("artifact storage %q is not declared", g.p.Project.ArtifactStorage)
	}
	g.codePrefix = art.URI
	return nil
}

// upload records a content-addressed artifact and returns its S3 URI.
func (g *generator) upload(f artifact.File) string {
	uri := g.codePrefix + f.Key()
	if _, dup := g.res.Files[uri]; dup {
		return uri
	}
	g.res.Files[uri] = f
	g.res.Uploads = append(g.res.Uploads, f.Upload(uri, f.Key()))
	return uri
}

type obj = map[string]any

func get(path string) obj { return obj{"Get": path} }

func join(values ...any) obj {
	return obj{"Std:Join": obj{"On": "", "Values": values}}
}

// value renders an IR value: a literal, a parameter Get, or a run-time join.
func value(v ir.Value) any {
	switch {
	case v.Param != "":
		return get("Parameters." + v.Param)
	case len(v.Join) > 0:
		parts := make([]any, len(v.Join))
		for i, p := range v.Join {
			parts[i] = value(p)
		}
		return join(parts...)
	}
	return v.Literal
}

// executionPath is a per-execution S3 location under a storage location:
// <uri><pipeline>/<execution id>/<leaf>.
func (g *generator) executionPath(storage, leaf string) any {
	return join(g.storage[storage].URI+g.p.Project.PipelineName+"/", get("Execution.PipelineExecutionId"), "/"+leaf)
}

func (g *generator) definition() (obj, error) {
	params := []any{}
	for _, p := range g.p.Parameters {
		po := obj{"Name": p.SageMaker, "Type": string(p.Type)}
		if p.Default != nil {
			po["DefaultValue"] = p.Default
		}
		if len(p.Enum) > 0 {
			po["EnumValues"] = p.Enum
		}
		params = append(params, po)
	}
	steps, err := g.steps()
	if err != nil {
		return nil, err
	}
	return obj{
		"Version":    DefinitionVersion,
		"Metadata":   obj{},
		"Parameters": params,
		"PipelineExperimentConfig": obj{
			"ExperimentName": get("Execution.PipelineName"),
			"TrialName":      get("Execution.PipelineExecutionId"),
		},
		"Steps": steps,
	}, nil
}

// steps renders the DAG. Steps guarded by a gate are nested in its
// Condition step's IfSteps (SageMaker runs branch steps only when the
// branch is taken); the failing branch holds the gate's Fail step.
func (g *generator) steps() ([]any, error) {
	parent := map[string]string{} // step name -> condition step it is nested in
	for _, r := range g.p.Registers {
		chain := append([]string(nil), r.Gates...)
		for i, gate := range chain {
			child := r.StepName
			if i < len(chain)-1 {
				child = g.gates[chain[i+1]].StepName
			}
			cond := g.gates[gate].StepName
			if prev, ok := parent[child]; ok && prev != cond {
				return nil, fmt.Errorf("step %s would sit in the passing branch of both %s and %s; give each registration its own gate chain", child, prev, cond)
			}
			parent[child] = cond
		}
	}
	for _, gt := range g.p.Gates {
		parent[gt.FailStepName] = gt.StepName
	}
	rendered := map[string]obj{}
	for _, s := range g.p.Steps {
		o, err := g.step(s)
		if err != nil {
			return nil, err
		}
		rendered[s.Name] = o
	}
	// Attach children to their conditions, in the DAG's order.
	for _, s := range g.p.Steps {
		par, ok := parent[s.Name]
		if !ok {
			continue
		}
		args := rendered[par]["Arguments"].(obj)
		branch := "IfSteps"
		if s.Kind == ir.StepFail {
			branch = "ElseSteps"
		}
		args[branch] = append(args[branch].([]any), rendered[s.Name])
	}
	var top []any
	for _, s := range g.p.Steps {
		if _, nested := parent[s.Name]; !nested {
			top = append(top, rendered[s.Name])
		}
	}
	return top, nil
}

func (g *generator) step(s ir.Step) (obj, error) {
	kind, name, _ := strings.Cut(s.Block, ".")
	switch kind {
	case "prepare":
		return g.prepareStep(g.prepares[name]), nil
	case "finetune":
		return g.trainingStep(g.tunes[name]), nil
	case "evaluate":
		return g.evaluateStep(g.evals[name]), nil
	case "gate":
		gt := g.gates[name]
		if s.Kind == ir.StepFail {
			return g.failStep(gt), nil
		}
		return g.conditionStep(gt), nil
	case "register":
		if r, ok := g.registers[name]; ok {
			return g.registerStep(r), nil
		}
	}
	return nil, fmt.Errorf("no emitter for step %s (%s)", s.Name, s.Block)
}

func options(o obj, opts ir.StepOptions) obj {
	if len(opts.Retry) > 0 {
		var rps []any
		for _, r := range opts.Retry {
			rps = append(rps, obj{
				"ExceptionType":   r.ExceptionTypes,
				"MaxAttempts":     r.MaxAttempts,
				"IntervalSeconds": r.IntervalSeconds,
				"BackoffRate":     r.BackoffRate,
			})
		}
		o["RetryPolicies"] = rps
	}
	if opts.CacheExpireAfter != "" {
		o["CacheConfig"] = obj{"Enabled": true, "ExpireAfter": opts.CacheExpireAfter}
	}
	return o
}
