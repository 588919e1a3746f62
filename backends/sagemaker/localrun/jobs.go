package localrun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runners execute the jobs; tests of the scheduler swap them.
type runners struct {
	processing func(ctx context.Context, j *job) error
	training   func(ctx context.Context, j *job) error
}

// job is one Processing or Training step being run.
type job struct {
	x    *execution
	step *Step
	// args are the step's arguments with every expression evaluated.
	args map[string]any
	// name is the job name SageMaker would give it.
	name string
	// dir is the step's directory in the execution; root the container's
	// file system root (root/opt/ml/...).
	dir, root string
	log       io.Writer
	// metrics the training log reported (last value of each).
	metrics []Metric
}

// container maps a container path (/opt/ml/...) into the job's root.
func (j *job) container(p string) string {
	if strings.HasPrefix(p, "/opt/ml/") || p == "/opt/ml" {
		return filepath.Join(j.root, filepath.FromSlash(p))
	}
	return p
}

func (j *job) emit(e Event) {
	e.Step, e.StepType = j.step.Name, j.step.Type
	j.x.emit(e)
}

// runJob runs a Processing or Training step, or reuses a cached run.
func (x *execution) runJob(ctx context.Context, s *Step, dir, logPath string) error {
	ev := evaluator{r: x}
	evaluated, err := ev.eval(s.Arguments)
	if err != nil {
		return fmt.Errorf("evaluating the arguments: %w", err)
	}
	args, _ := evaluated.(map[string]any)
	key, err := x.cacheKey(s, args)
	if err != nil {
		return err
	}
	caching := s.CacheConfig != nil && s.CacheConfig.Enabled && !x.opts.NoCache
	if caching {
		if entry, ok := x.cacheLookup(s, key); ok {
			if err := x.record(s, entry.Properties); err != nil {
				return err
			}
			x.setState(s.Name, stateCached)
			x.emit(Event{Event: "step_cached", Step: s.Name, StepType: s.Type, CachedFrom: entry.ExecutionID, Outputs: x.outputs(s, entry.Properties)})
			return nil
		}
	}
	x.emit(Event{Event: "step_started", Step: s.Name, StepType: s.Type, Log: logPath})
	start := time.Now()
	root := filepath.Join(dir, "container")
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("creating the step log: %w", err)
	}
	defer logf.Close()
	j := &job{x: x, step: s, args: args, name: jobName(x.id, s.Name), dir: dir, root: root, log: logf}
	if d, ok := maxRuntime(args); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	var props map[string]any
	switch s.Type {
	case "Processing":
		if err := x.opts.runners.processing(ctx, j); err != nil {
			return err
		}
		props = withFields(args, map[string]any{
			"ProcessingJobName": j.name, "ProcessingJobStatus": "Completed",
			"ProcessingJobArn": "arn:aws:sagemaker:local:000000000000:processing-job/" + j.name,
		})
	case "Training":
		if err := x.opts.runners.training(ctx, j); err != nil {
			return err
		}
		odc, _ := args["OutputDataConfig"].(map[string]any)
		final := []any{}
		for _, m := range j.metrics {
			final = append(final, map[string]any{"MetricName": m.Name, "Value": m.Value})
		}
		props = withFields(args, map[string]any{
			"TrainingJobName": j.name, "TrainingJobStatus": "Completed",
			"TrainingJobArn":      "arn:aws:sagemaker:local:000000000000:training-job/" + j.name,
			"ModelArtifacts":      map[string]any{"S3ModelArtifacts": modelArtifacts(str(odc["S3OutputPath"]), j.name)},
			"FinalMetricDataList": final,
		})
	}
	// The container's files are gone in SageMaker once the job ends;
	// here they would double the disk the outputs take.
	_ = os.RemoveAll(root)
	// Round-trip through JSON so fresh and cached properties look alike.
	props, err = roundTrip(props)
	if err != nil {
		return err
	}
	if err := x.record(s, props); err != nil {
		return err
	}
	if s.CacheConfig != nil && s.CacheConfig.Enabled {
		if err := x.cacheStore(s, key, props); err != nil {
			return fmt.Errorf("writing the cache entry: %w", err)
		}
	}
	x.emit(Event{Event: "step_succeeded", Step: s.Name, StepType: s.Type, Seconds: time.Since(start).Seconds(), Log: logPath, Outputs: x.outputs(s, props)})
	return nil
}

// record stores a finished step's properties and locates its property
// files.
func (x *execution) record(s *Step, props map[string]any) error {
	files := map[string]string{}
	for _, pf := range s.PropertyFiles {
		uri := processingOutput(props, pf.OutputName)
		if uri == "" {
			return fmt.Errorf("property file %s: the step has no output %s", pf.PropertyFileName, pf.OutputName)
		}
		p, err := x.storage.Path(strings.TrimSuffix(uri, "/") + "/" + pf.FilePath)
		if err != nil {
			return err
		}
		files[pf.PropertyFileName] = p
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.props[s.Name] = props
	x.propertyFiles[s.Name] = files
	return nil
}

// outputs maps each S3 location a step wrote to its local path.
func (x *execution) outputs(s *Step, props map[string]any) map[string]string {
	out := map[string]string{}
	var uris []string
	switch s.Type {
	case "Processing":
		oc, _ := props["ProcessingOutputConfig"].(map[string]any)
		for _, o := range asList(oc["Outputs"]) {
			m, _ := o.(map[string]any)
			s3, _ := m["S3Output"].(map[string]any)
			uris = append(uris, str(s3["S3Uri"]))
		}
	case "Training":
		ma, _ := props["ModelArtifacts"].(map[string]any)
		uris = append(uris, str(ma["S3ModelArtifacts"]))
	}
	for _, u := range uris {
		if p, err := x.storage.Path(u); err == nil {
			out[u] = p
		}
	}
	return out
}

func processingOutput(props map[string]any, name string) string {
	oc, _ := props["ProcessingOutputConfig"].(map[string]any)
	for _, o := range asList(oc["Outputs"]) {
		m, _ := o.(map[string]any)
		if str(m["OutputName"]) == name {
			s3, _ := m["S3Output"].(map[string]any)
			return str(s3["S3Uri"])
		}
	}
	return ""
}

// modelArtifacts is where SageMaker puts a training job's model:
// <S3OutputPath>/<job name>/output/model.tar.gz.
func modelArtifacts(outputPath, job string) string {
	return strings.TrimSuffix(outputPath, "/") + "/" + job + "/output/model.tar.gz"
}

// jobName follows the names SageMaker Pipelines gives its jobs
// (pipelines-<execution id>-<step>), within the 63-character limit.
func jobName(id, step string) string {
	n := "pipelines-" + id + "-" + step
	var b strings.Builder
	for _, r := range n {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	n = b.String()
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// maxRuntime is StoppingCondition.MaxRuntimeInSeconds: the job is
// stopped when it runs longer, as SageMaker stops it.
func maxRuntime(args map[string]any) (time.Duration, bool) {
	sc, _ := args["StoppingCondition"].(map[string]any)
	n, ok := number(sc["MaxRuntimeInSeconds"])
	if !ok || n <= 0 {
		return 0, false
	}
	return time.Duration(n * float64(time.Second)), true
}

func withFields(args map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(args)+len(extra))
	for k, v := range args {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func roundTrip(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding step properties: %w", err)
	}
	d, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	m, _ := d.(map[string]any)
	return m, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
