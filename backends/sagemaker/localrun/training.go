package localrun

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// The SageMaker training contract, as the Hugging Face container's
// training toolkit (sagemaker-training) implements it:
//   - channels in /opt/ml/input/data/<channel>, SM_CHANNEL_<CHANNEL>;
//   - the model in /opt/ml/model (SM_MODEL_DIR), archived afterwards to
//     <S3OutputPath>/<job>/output/model.tar.gz; /opt/ml/output/data
//     (SM_OUTPUT_DATA_DIR) to .../output/output.tar.gz;
//   - /opt/ml/input/config/hyperparameters.json as given; the user
//     script gets each hyperparameter (sagemaker_* ones excepted) JSON-
//     decoded and rendered by Python's str(), keys sorted, as --key value;
//   - sagemaker_submit_directory unpacked into /opt/ml/code, where
//     sagemaker_program runs;
//   - CheckpointConfig.LocalPath synchronised with its S3Uri: locally the
//     job's checkpoint directory is the S3 location itself, so a run that
//     was stopped resumes from it;
//   - MetricDefinitions' regexes applied to every log line.
// What differs: the code runs in the given Python environment (the
// container's requirements.txt is not installed), on CPU unless GPU is
// set, and the training code is told the checkpoint directory through
// SLM_CHECKPOINT_DIR, since /opt/ml/checkpoints is not this machine's.

func runTraining(ctx context.Context, j *job) error {
	hpRaw, _ := j.args["HyperParameters"].(map[string]any)
	hps := map[string]string{}
	for k, v := range hpRaw {
		hps[k] = str(v)
	}
	program, err := decodeString(hps["sagemaker_program"])
	if err != nil {
		return fmt.Errorf("hyperparameter sagemaker_program: %w", err)
	}
	submit, err := decodeString(hps["sagemaker_submit_directory"])
	if err != nil {
		return fmt.Errorf("hyperparameter sagemaker_submit_directory: %w", err)
	}
	codeDir := j.container("/opt/ml/code")
	src, err := j.x.storage.Path(submit)
	if err != nil {
		return fmt.Errorf("sagemaker_submit_directory: %w", err)
	}
	if err := extractTarGz(src, codeDir); err != nil {
		return fmt.Errorf("unpacking the training code %s: %w", submit, err)
	}
	env := map[string]string{}
	envArgs, _ := j.args["Environment"].(map[string]any)
	for k, v := range envArgs {
		env[k] = str(v)
	}
	var channels []string
	for _, ch := range asList(j.args["InputDataConfig"]) {
		m, _ := ch.(map[string]any)
		name := str(m["ChannelName"])
		ds, _ := m["DataSource"].(map[string]any)
		s3, _ := ds["S3DataSource"].(map[string]any)
		dir := j.container("/opt/ml/input/data/" + name)
		if err := j.x.storage.download(str(s3["S3Uri"]), dir); err != nil {
			return fmt.Errorf("channel %s: %w", name, err)
		}
		channels = append(channels, name)
		env["SM_CHANNEL_"+strings.ToUpper(name)] = dir
	}
	sort.Strings(channels)
	modelDir, outputDir := j.container("/opt/ml/model"), j.container("/opt/ml/output/data")
	for _, d := range []string{modelDir, outputDir} {
		if err := mkdir(d); err != nil {
			return err
		}
	}
	if cc, ok := j.args["CheckpointConfig"].(map[string]any); ok {
		ckpt, err := j.x.storage.Path(str(cc["S3Uri"]))
		if err != nil {
			return fmt.Errorf("CheckpointConfig: %w", err)
		}
		if err := mkdir(ckpt); err != nil {
			return err
		}
		local := str(cc["LocalPath"])
		if local == "" {
			local = "/opt/ml/checkpoints"
		}
		if err := os.MkdirAll(filepath.Dir(j.container(local)), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(ckpt, j.container(local)); err != nil {
			return err
		}
		env["SLM_CHECKPOINT_DIR"] = ckpt
	}
	hpFile, _ := json.MarshalIndent(hps, "", "  ")
	if err := writeFileAtomic(j.container("/opt/ml/input/config/hyperparameters.json"), hpFile); err != nil {
		return err
	}
	userArgs, decoded, err := toolkitArgs(hps)
	if err != nil {
		return err
	}
	hpsJSON, _ := json.Marshal(decoded)
	chJSON, _ := json.Marshal(channels)
	argsJSON, _ := json.Marshal(userArgs)
	for k, v := range map[string]string{
		"SM_MODEL_DIR":            modelDir,
		"SM_OUTPUT_DATA_DIR":      outputDir,
		"SM_OUTPUT_DIR":           j.container("/opt/ml/output"),
		"SM_INPUT_DIR":            j.container("/opt/ml/input"),
		"SM_INPUT_CONFIG_DIR":     j.container("/opt/ml/input/config"),
		"SM_INPUT_DATA_DIR":       j.container("/opt/ml/input/data"),
		"SM_MODULE_DIR":           submit,
		"SM_USER_ENTRY_POINT":     program,
		"SM_CHANNELS":             string(chJSON),
		"SM_HPS":                  string(hpsJSON),
		"SM_USER_ARGS":            string(argsJSON),
		"SM_CURRENT_HOST":         "algo-1",
		"SM_HOSTS":                `["algo-1"]`,
		"SM_NUM_CPUS":             strconv.Itoa(runtime.NumCPU()),
		"SM_NUM_GPUS":             "0",
		"SM_TRAINING_JOB_NAME":    j.name,
		"TRAINING_JOB_NAME":       j.name,
		"PYTHONUNBUFFERED":        "1",
		"PYTHONDONTWRITEBYTECODE": "1",
	} {
		env[k] = v
	}
	for k, v := range decoded {
		env["SM_HP_"+strings.ToUpper(k)] = pyStr(v)
	}
	if !j.x.opts.GPU {
		env["CUDA_VISIBLE_DEVICES"] = ""
	}
	if err := j.x.hubCache(env, hps); err != nil {
		return err
	}
	metrics, err := metricMatchers(j.args)
	if err != nil {
		return err
	}
	last := map[string]Metric{}
	var order []string
	err = runCommand(ctx, command{path: j.x.opts.Python, args: append([]string{program}, userArgs...), dir: codeDir, env: environ(j.x.opts.Environ, env)}, j.log,
		func(stream, line string) {
			matched := false
			for _, m := range metrics {
				sm := m.re.FindStringSubmatch(line)
				if len(sm) < 2 {
					continue
				}
				v, err := strconv.ParseFloat(sm[1], 64)
				if err != nil {
					continue
				}
				met := Metric{Name: m.name, Value: v}
				if st := stepOf.FindStringSubmatch(line); st != nil {
					met.Step, _ = strconv.Atoi(st[1])
				}
				if _, seen := last[m.name]; !seen {
					order = append(order, m.name)
				}
				last[m.name] = met
				j.emit(Event{Event: "step_metric", Metric: &met})
				matched = true
			}
			if !matched {
				j.emit(Event{Event: "step_log", Stream: stream, Message: line})
			}
		})
	for _, n := range order {
		j.metrics = append(j.metrics, last[n])
	}
	if err != nil {
		return err
	}
	odc, _ := j.args["OutputDataConfig"].(map[string]any)
	modelURI := modelArtifacts(str(odc["S3OutputPath"]), j.name)
	modelTar, err := j.x.storage.Path(modelURI)
	if err != nil {
		return err
	}
	if err := writeTarGz(modelDir, modelTar); err != nil {
		return fmt.Errorf("archiving the model: %w", err)
	}
	if err := writeTarGz(outputDir, filepath.Join(filepath.Dir(modelTar), "output.tar.gz")); err != nil {
		return fmt.Errorf("archiving the output data: %w", err)
	}
	return nil
}

var stepOf = regexp.MustCompile(`\bstep=(\d+)`)

type metricMatcher struct {
	name string
	re   *regexp.Regexp
}

func metricMatchers(args map[string]any) ([]metricMatcher, error) {
	alg, _ := args["AlgorithmSpecification"].(map[string]any)
	var out []metricMatcher
	for _, md := range asList(alg["MetricDefinitions"]) {
		m, _ := md.(map[string]any)
		re, err := regexp.Compile(str(m["Regex"]))
		if err != nil {
			return nil, fmt.Errorf("metric %s: regex: %w", str(m["Name"]), err)
		}
		out = append(out, metricMatcher{name: str(m["Name"]), re: re})
	}
	return out, nil
}

// toolkitArgs turns the hyperparameters into the script's command line
// as the training toolkit does: sagemaker_* keys left out, every value
// JSON-decoded (kept as text when it is not JSON), keys sorted, each
// "--key" followed by Python's str() of the value.
func toolkitArgs(hps map[string]string) ([]string, map[string]any, error) {
	decoded := map[string]any{}
	for k, raw := range hps {
		if strings.HasPrefix(k, "sagemaker_") {
			continue
		}
		v, err := decodeJSON([]byte(raw))
		if err != nil {
			v = raw
		}
		decoded[k] = v
	}
	var args []string
	for _, k := range sortedKeys(decoded) {
		flag := "--" + k
		if len(k) == 1 {
			flag = "-" + k
		}
		args = append(args, flag, pyStr(decoded[k]))
	}
	return args, decoded, nil
}

// pyStr renders a decoded JSON value as Python's str() does.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			return s // a Python int
		}
		f, _ := x.Float64()
		return pyFloat(f)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		// to_cmd_args renders a mapping as k=v pairs, sorted.
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+"="+pyStr(x[k]))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
	}
	return pyStr(v)
}

func decodeString(raw string) (string, error) {
	v, err := decodeJSON([]byte(raw))
	if err != nil {
		return raw, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s is not a string", raw)
	}
	return s, nil
}

// hubCache lets the training code load a Hugging Face hub model offline
// from a local folder: for each HubModels entry it lays the folder out as
// a hub cache snapshot (links, at the revision the model_revision
// hyperparameter pins, and as refs/main) and points HF_HUB_CACHE at it.
func (x *execution) hubCache(env map[string]string, hps map[string]string) error {
	if len(x.opts.HubModels) == 0 {
		return nil
	}
	cache := filepath.Join(x.opts.Out, "hf-hub")
	rev, _ := decodeString(hps["model_revision"])
	for _, id := range sortedKeys(x.opts.HubModels) {
		src, err := filepath.Abs(x.opts.HubModels[id])
		if err != nil {
			return err
		}
		repo := filepath.Join(cache, "models--"+strings.ReplaceAll(id, "/", "--"))
		revs := []string{"local"}
		if rev != "" {
			revs = append(revs, rev)
		}
		for _, r := range revs {
			snap := filepath.Join(repo, "snapshots", r)
			if err := os.RemoveAll(snap); err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(snap), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(src, snap); err != nil {
				return fmt.Errorf("--hub-model %s: %w", id, err)
			}
		}
		main := revs[len(revs)-1]
		if err := writeFileAtomic(filepath.Join(repo, "refs", "main"), []byte(main)); err != nil {
			return err
		}
	}
	env["HF_HUB_CACHE"] = cache
	env["HF_HUB_OFFLINE"] = "1"
	env["TRANSFORMERS_OFFLINE"] = "1"
	return nil
}

// extractTarGz unpacks a gzip'd tar, refusing entries that leave dst.
func extractTarGz(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("entry %q leaves the directory", h.Name)
		}
		target := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644|os.FileMode(h.Mode)&0o111)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
}

// writeTarGz archives a directory as SageMaker archives /opt/ml/model:
// paths relative to it, written through a temporary file.
func writeTarGz(dir, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".model-*.tar.gz")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	gz, _ := gzip.NewWriterLevel(tmp, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() && !info.IsDir() {
			return nil
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func mkdir(p string) error { return os.MkdirAll(p, 0o755) }
