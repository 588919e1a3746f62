package localrun

import (
	"context"
	"fmt"
	"path/filepath"
)

// runProcessing runs a Processing step: its S3 inputs are downloaded into
// the job's /opt/ml/processing tree, the slm step runner it ships as its
// code input runs with the container's arguments and environment (each
// /opt/ml path mapped into the job's root), and the outputs are uploaded.
func runProcessing(ctx context.Context, j *job) error {
	for _, in := range asList(j.args["ProcessingInputs"]) {
		m, _ := in.(map[string]any)
		s3, _ := m["S3Input"].(map[string]any)
		uri, local := str(s3["S3Uri"]), str(s3["LocalPath"])
		if err := j.x.storage.download(uri, j.container(local)); err != nil {
			return fmt.Errorf("input %s: %w", str(m["InputName"]), err)
		}
	}
	app, _ := j.args["AppSpecification"].(map[string]any)
	entry := asList(app["ContainerEntrypoint"])
	// /bin/sh -c "install -m 0755 CODE/slm /tmp/slm && exec /tmp/slm \"$@\"" slm ARGS...
	mm := runnerScript.FindStringSubmatch(str(entry[2]))
	if mm == nil {
		return fmt.Errorf("the container entrypoint is not the slm step runner's")
	}
	runner := filepath.Join(j.root, "tmp", "slm")
	if err := copyFile(j.container(mm[1]), runner, 0o755); err != nil {
		return fmt.Errorf("installing the step runner: %w", err)
	}
	var args []string
	for _, a := range entry[4:] {
		args = append(args, j.container(str(a)))
	}
	env := map[string]string{}
	envArgs, _ := j.args["Environment"].(map[string]any)
	for k, v := range envArgs {
		env[k] = j.container(str(v))
	}
	oc, _ := j.args["ProcessingOutputConfig"].(map[string]any)
	outputs := asList(oc["Outputs"])
	for _, o := range outputs {
		m, _ := o.(map[string]any)
		s3, _ := m["S3Output"].(map[string]any)
		if err := mkdir(j.container(str(s3["LocalPath"]))); err != nil {
			return err
		}
	}
	err := runCommand(ctx, command{path: runner, args: args, dir: j.root, env: environ(j.x.opts.Environ, env)}, j.log,
		func(stream, line string) { j.emit(Event{Event: "step_log", Stream: stream, Message: line}) })
	if err != nil {
		return err
	}
	for _, o := range outputs {
		m, _ := o.(map[string]any)
		s3, _ := m["S3Output"].(map[string]any)
		if err := j.x.storage.upload(j.container(str(s3["LocalPath"])), str(s3["S3Uri"])); err != nil {
			return fmt.Errorf("output %s: %w", str(m["OutputName"]), err)
		}
	}
	return nil
}
