package localrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The local model registry: one directory per model package group, one
// JSON file per version (1.json, 2.json, ...), holding what
// CreateModelPackage would record (approval status, inference
// specification, model metrics with the statistics file's content,
// customer metadata) plus where the model is on disk and which execution
// registered it.

// ModelPackage is one registered version.
type ModelPackage struct {
	ModelPackageGroupName      string         `json:"ModelPackageGroupName"`
	ModelPackageVersion        int            `json:"ModelPackageVersion"`
	ModelPackageArn            string         `json:"ModelPackageArn"`
	ModelApprovalStatus        string         `json:"ModelApprovalStatus"`
	ModelPackageDescription    string         `json:"ModelPackageDescription,omitempty"`
	InferenceSpecification     map[string]any `json:"InferenceSpecification,omitempty"`
	ModelMetrics               map[string]any `json:"ModelMetrics,omitempty"`
	CustomerMetadataProperties map[string]any `json:"CustomerMetadataProperties,omitempty"`
	// Local: the model archive on disk, the metrics file's content, and
	// the lineage of the registration.
	ModelDataPath string         `json:"ModelDataPath,omitempty"`
	Metrics       map[string]any `json:"Metrics,omitempty"`
	Lineage       Lineage        `json:"Lineage"`
}

// Lineage says which execution and step registered a version.
type Lineage struct {
	PipelineName string `json:"PipelineName"`
	ExecutionID  string `json:"ExecutionId"`
	Step         string `json:"Step"`
}

var groupName = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)

func (x *execution) runRegister(s *Step) error {
	v, err := evaluator{r: x}.eval(s.Arguments)
	if err != nil {
		return fmt.Errorf("evaluating the arguments: %w", err)
	}
	args, _ := v.(map[string]any)
	group := str(args["ModelPackageGroupName"])
	if !groupName.MatchString(group) {
		return fmt.Errorf("ModelPackageGroupName %q is not a valid group name", group)
	}
	status := str(args["ModelApprovalStatus"])
	if status == "" {
		status = "PendingManualApproval"
	}
	switch status {
	case "Approved", "PendingManualApproval", "Rejected":
	default:
		return fmt.Errorf("ModelApprovalStatus %q: want Approved, PendingManualApproval or Rejected", status)
	}
	pkg := ModelPackage{
		ModelPackageGroupName: group, ModelApprovalStatus: status,
		ModelPackageDescription:    str(args["ModelPackageDescription"]),
		InferenceSpecification:     mapOf(args["InferenceSpecification"]),
		ModelMetrics:               mapOf(args["ModelMetrics"]),
		CustomerMetadataProperties: mapOf(args["CustomerMetadataProperties"]),
		Lineage:                    Lineage{PipelineName: x.opts.PipelineName, ExecutionID: x.id, Step: s.Name},
	}
	for _, c := range asList(pkg.InferenceSpecification["Containers"]) {
		m, _ := c.(map[string]any)
		if u := str(m["ModelDataUrl"]); u != "" {
			if pkg.ModelDataPath, err = x.storage.Path(u); err != nil {
				return fmt.Errorf("ModelDataUrl: %w", err)
			}
			if !x.storage.exists(u) {
				return fmt.Errorf("ModelDataUrl %s: no such object", u)
			}
		}
	}
	if mq, ok := pkg.ModelMetrics["ModelQuality"].(map[string]any); ok {
		if st, ok := mq["Statistics"].(map[string]any); ok {
			p, err := x.storage.Path(str(st["S3Uri"]))
			if err != nil {
				return fmt.Errorf("ModelMetrics: %w", err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("ModelMetrics.ModelQuality.Statistics: %w", err)
			}
			doc, err := decodeJSON(b)
			if err != nil {
				return fmt.Errorf("ModelMetrics.ModelQuality.Statistics %s: %w", p, err)
			}
			pkg.Metrics = mapOf(doc)
		}
	}
	path, version, err := writeVersion(x.opts.Registry, &pkg)
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.props[s.Name] = map[string]any{
		"ModelPackageArn": pkg.ModelPackageArn, "ModelPackageGroupName": group,
		"ModelPackageVersion": json.Number(strconv.Itoa(version)), "ModelApprovalStatus": status,
	}
	x.registered = append(x.registered, path)
	x.mu.Unlock()
	x.emit(Event{Event: "registered", Step: s.Name, StepType: s.Type, Registered: path,
		Message: fmt.Sprintf("%s version %d (%s)", group, version, status)})
	x.emit(Event{Event: "step_succeeded", Step: s.Name, StepType: s.Type})
	return nil
}

// writeVersion gives the package the group's next version number and
// writes it; O_EXCL makes two concurrent registrations take two numbers.
func writeVersion(registry string, pkg *ModelPackage) (string, int, error) {
	dir := filepath.Join(registry, pkg.ModelPackageGroupName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("creating the registry group: %w", err)
	}
	for {
		versions, err := listVersions(dir)
		if err != nil {
			return "", 0, err
		}
		n := 1
		if len(versions) > 0 {
			n = versions[len(versions)-1] + 1
		}
		pkg.ModelPackageVersion = n
		pkg.ModelPackageArn = fmt.Sprintf("arn:aws:sagemaker:local:000000000000:model-package/%s/%d", strings.ToLower(pkg.ModelPackageGroupName), n)
		b, err := json.MarshalIndent(pkg, "", "  ")
		if err != nil {
			return "", 0, err
		}
		path := filepath.Join(dir, strconv.Itoa(n)+".json")
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
			return "", 0, err
		}
		// Link fails if the version exists: someone else took it.
		if err := os.Link(tmp, path); err != nil {
			os.Remove(tmp)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return "", 0, err
		}
		os.Remove(tmp)
		return path, n, nil
	}
}

func listVersions(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		if n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".json")); err == nil && strings.HasSuffix(e.Name(), ".json") {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// LatestApproved returns the newest Approved version of a model package
// group in a local registry, as "the latest approved model" is found in
// SageMaker's.
func LatestApproved(registry, group string) (*ModelPackage, error) {
	dir := filepath.Join(registry, group)
	versions, err := listVersions(dir)
	if err != nil {
		return nil, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(versions[i])+".json"))
		if err != nil {
			return nil, err
		}
		var p ModelPackage
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("%s/%d.json: %w", dir, versions[i], err)
		}
		if p.ModelApprovalStatus == "Approved" {
			return &p, nil
		}
	}
	return nil, fmt.Errorf("model package group %s in %s has no approved version", group, registry)
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
