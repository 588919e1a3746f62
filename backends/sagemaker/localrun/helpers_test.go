package localrun

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tests build small definitions by hand. Processing steps run real
// processes: the "slm" code input is a shell script, started through the
// same runner entrypoint the SageMaker backend writes.

type obj = map[string]any

const codeURI = "s3://code-bucket/code/runner/"

func get(p string) obj { return obj{"Get": p} }

func join(values ...any) obj { return obj{"Std:Join": obj{"On": "", "Values": values}} }

// processing is a Processing step running the script uploaded for it
// (scripts), with outputs named in outs, each at s3://out/<exec>/<step>/<name>.
func processing(name string, inputs map[string]any, outs ...string) obj {
	ins := []any{s3in("code", codeURI+name+"/", "/opt/ml/processing/input/code")}
	for _, k := range sortedKeys(inputs) {
		ins = append(ins, s3in(k, inputs[k], "/opt/ml/processing/input/"+k))
	}
	var os []any
	for _, o := range outs {
		os = append(os, obj{"OutputName": o, "AppManaged": false, "S3Output": obj{
			"S3Uri":     join("s3://out/", get("Execution.PipelineExecutionId"), "/"+name+"/"+o),
			"LocalPath": "/opt/ml/processing/output/" + o, "S3UploadMode": "EndOfJob",
		}})
	}
	return obj{
		"Name": name, "Type": "Processing",
		"Arguments": obj{
			"AppSpecification": obj{"ImageUri": "x", "ContainerEntrypoint": []any{
				"/bin/sh", "-c", `install -m 0755 /opt/ml/processing/input/code/slm /tmp/slm && exec /tmp/slm "$@"`, "slm", "step", name,
			}},
			"ProcessingInputs":       ins,
			"ProcessingOutputConfig": obj{"Outputs": os},
			"ProcessingResources":    obj{"ClusterConfig": obj{"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}},
			"RoleArn":                "arn:aws:iam::1:role/r",
			"Environment":            obj{"STEP_NAME": name, "OUT": "/opt/ml/processing/output", "IN": "/opt/ml/processing/input"},
		},
	}
}

func s3in(name string, uri any, local string) obj {
	return obj{"InputName": name, "AppManaged": false, "S3Input": obj{
		"S3Uri": uri, "LocalPath": local, "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated",
	}}
}

func definition(params []any, steps ...any) []byte {
	if params == nil {
		params = []any{}
	}
	b, err := json.Marshal(obj{"Version": "2020-12-01", "Metadata": obj{}, "Parameters": params, "Steps": steps})
	if err != nil {
		panic(err)
	}
	return b
}

// scripts are the step programs, by step name: the code files to upload.
func scripts(byStep map[string]string) map[string][]byte {
	out := map[string][]byte{}
	for name, body := range byStep {
		out[codeURI+name+"/slm"] = []byte("#!/bin/sh\nset -eu\n" + body + "\n")
	}
	return out
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) of(kind string) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Event == kind {
			out = append(out, e)
		}
	}
	return out
}

func run(t *testing.T, opts Options) (*Result, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts.Events = rec.add
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	if opts.PipelineName == "" {
		opts.PipelineName = "test-dev"
	}
	opts.Environ = append(os.Environ(), opts.Environ...)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, rec
}

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range sortedKeys(files) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grepLog(t *testing.T, res *Result, step, want string) bool {
	t.Helper()
	return strings.Contains(readFile(t, filepath.Join(res.Dir, "steps", step, "log.txt")), want)
}
