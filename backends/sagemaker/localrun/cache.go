package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// Step caching as SageMaker's CacheConfig defines it: a step whose type,
// arguments and property files match a successful earlier run of the same
// step, within ExpireAfter, is not run again; its properties (and so its
// outputs) are the earlier run's. Two things differ from the service, both
// so that a local cache hit means what it says: execution variables in the
// arguments (the per-execution output paths) do not count, as they would
// make every key unique; and the content of every S3 input (by SHA-256)
// does count, where the service compares only the URIs.

type cacheEntry struct {
	Step        string         `json:"step"`
	Key         string         `json:"key"`
	ExecutionID string         `json:"execution_id"`
	Created     time.Time      `json:"created"`
	Properties  map[string]any `json:"properties"`
}

func (x *execution) cachePath(s *Step, key string) string {
	return filepath.Join(x.opts.Out, "cache", s.Name, key+".json")
}

// cacheKey digests what makes a run of the step the same run.
func (x *execution) cacheKey(s *Step, args map[string]any) (string, error) {
	sym, err := evaluator{r: x, symbolic: true}.eval(s.Arguments)
	if err != nil {
		return "", fmt.Errorf("evaluating the arguments: %w", err)
	}
	inputs := map[string]string{}
	for _, uri := range inputURIs(s.Type, args) {
		d, err := x.storage.digest(uri)
		if err != nil {
			return "", fmt.Errorf("reading input %s: %w", uri, err)
		}
		inputs[uri] = d
	}
	b, err := json.Marshal(map[string]any{
		"name": s.Name, "type": s.Type, "arguments": sym, "property_files": s.PropertyFiles, "inputs": inputs,
	})
	if err != nil {
		return "", err
	}
	return sha256Hex(b), nil
}

// inputURIs lists the S3 locations a job reads.
func inputURIs(typ string, args map[string]any) []string {
	var out []string
	switch typ {
	case "Processing":
		for _, in := range asList(args["ProcessingInputs"]) {
			m, _ := in.(map[string]any)
			s3, _ := m["S3Input"].(map[string]any)
			out = append(out, str(s3["S3Uri"]))
		}
	case "Training":
		for _, ch := range asList(args["InputDataConfig"]) {
			m, _ := ch.(map[string]any)
			ds, _ := m["DataSource"].(map[string]any)
			s3, _ := ds["S3DataSource"].(map[string]any)
			out = append(out, str(s3["S3Uri"]))
		}
		hp, _ := args["HyperParameters"].(map[string]any)
		if sub, err := strconv.Unquote(str(hp["sagemaker_submit_directory"])); err == nil {
			out = append(out, sub)
		}
	}
	return out
}

func (x *execution) cacheLookup(s *Step, key string) (*cacheEntry, bool) {
	b, err := os.ReadFile(x.cachePath(s, key))
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil || e.Key != key {
		return nil, false
	}
	if exp := s.CacheConfig.ExpireAfter; exp != "" {
		d, err := parseISODuration(exp)
		if err != nil || x.opts.Now().After(e.Created.Add(d)) {
			return nil, false
		}
	}
	// The outputs must still be there (a cleaned storage is a miss).
	for uri := range x.outputs(s, e.Properties) {
		if !x.storage.exists(uri) {
			return nil, false
		}
	}
	return &e, true
}

func (x *execution) cacheStore(s *Step, key string, props map[string]any) error {
	b, err := json.MarshalIndent(cacheEntry{Step: s.Name, Key: key, ExecutionID: x.id, Created: x.opts.Now().UTC(), Properties: props}, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(x.cachePath(s, key), append(b, '\n'))
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseISODuration reads ExpireAfter (ISO 8601: P30D, PT12H, P1Y2M...);
// a month is 30 days and a year 365, as for cache expiry only order of
// magnitude matters.
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration (e.g. P30D, PT12H)", s)
	}
	units := []time.Duration{365 * 24 * time.Hour, 30 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		d += time.Duration(n) * u
	}
	return d, nil
}
