// Package baseline implements the pipeline's baseline step (`slm step
// baseline`, SPEC.md section 2.4): it reads the latest approved model
// package of a model package group from the SageMaker Model Registry,
// fetches its evaluation report, and writes baseline.json, the property file
// a champion/challenger gate compares the new model against. SageMaker has
// no native step that reads the registry, hence this one.
//
// When the group has no approved package yet (the first model), the result
// says found=false and every bound is one no model can miss, so the gate
// passes that model explicitly.
package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Config is baseline.json's input, written by the compiler.
type Config struct {
	ModelPackageGroup string   `json:"model_package_group"`
	Metrics           []Metric `json:"metrics"`
}

// Metric is one champion/challenger threshold: the bound is the approved
// model's value plus Delta (min for a higher-is-better metric, max else).
type Metric struct {
	Name         string  `json:"name"`
	JSONPath     string  `json:"json_path"` // in the evaluation report
	HigherBetter bool    `json:"higher_better"`
	Delta        float64 `json:"delta"`
}

// Result is baseline.json.
type Result struct {
	Found           bool               `json:"found"`
	ModelPackageArn string             `json:"model_package_arn,omitempty"`
	Approved        map[string]float64 `json:"approved,omitempty"`
	Bounds          map[string]float64 `json:"bounds"`
}

// Registry is what the step needs from AWS (the SageMaker Model Registry and
// S3), so the logic runs against any endpoint the SDK is pointed at.
type Registry interface {
	// LatestApproved returns the newest approved package of the group and
	// the S3 URI of its model quality statistics; found=false when none.
	LatestApproved(ctx context.Context, group string) (arn, statsURI string, found bool, err error)
	Read(ctx context.Context, s3URI string) ([]byte, error)
}

// Unbeatable bounds for the first model: no ratio is below -1 and no latency
// above this many milliseconds.
const (
	openMin = -1.0
	openMax = 1e12
)

// LoadConfig reads and checks the step's configuration.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("baseline config %s: %w", path, err)
	}
	if c.ModelPackageGroup == "" || len(c.Metrics) == 0 {
		return nil, fmt.Errorf("baseline config %s: needs model_package_group and metrics", path)
	}
	return &c, nil
}

// Run computes the bounds.
func Run(ctx context.Context, cfg *Config, reg Registry) (*Result, error) {
	res := &Result{Bounds: map[string]float64{}}
	arn, uri, found, err := reg.LatestApproved(ctx, cfg.ModelPackageGroup)
	if err != nil {
		return nil, fmt.Errorf("reading the latest approved package of %s: %w", cfg.ModelPackageGroup, err)
	}
	if !found {
		for _, m := range cfg.Metrics {
			res.Bounds[m.Name] = openMax
			if m.HigherBetter {
				res.Bounds[m.Name] = openMin
			}
		}
		return res, nil
	}
	if uri == "" {
		return nil, fmt.Errorf("approved package %s has no model quality statistics to compare with", arn)
	}
	report, err := reg.Read(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("reading the evaluation report of %s (%s): %w", arn, uri, err)
	}
	var doc any
	if err := json.Unmarshal(report, &doc); err != nil {
		return nil, fmt.Errorf("the evaluation report of %s (%s) is not JSON: %w", arn, uri, err)
	}
	res.Found, res.ModelPackageArn, res.Approved = true, arn, map[string]float64{}
	for _, m := range cfg.Metrics {
		v, ok := lookup(doc, m.JSONPath)
		if !ok {
			return nil, fmt.Errorf("the evaluation report of %s has no %s (%s)", arn, m.Name, m.JSONPath)
		}
		res.Approved[m.Name] = v
		res.Bounds[m.Name] = v + m.Delta
	}
	return res, nil
}

func lookup(doc any, path string) (float64, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return 0, false
		}
		if doc, ok = m[k]; !ok {
			return 0, false
		}
	}
	f, ok := doc.(float64)
	return f, ok && !math.IsNaN(f)
}

// Write writes baseline.json into dir atomically.
func Write(dir string, res *Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding baseline.json: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing baseline.json: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".baseline-*.json")
	if err != nil {
		return fmt.Errorf("writing baseline.json: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing baseline.json: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing baseline.json: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "baseline.json")); err != nil {
		return fmt.Errorf("writing baseline.json: %w", err)
	}
	return nil
}
