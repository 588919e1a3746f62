package sagemaker_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/sagemaker"
)

// keyPaths lists the object key paths of a JSON value, with array
// elements merged ([]): its shape, without the values.
func keyPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := prefix + "." + k
			out[p] = true
			keyPaths(e, p, out)
		}
	case []any:
		for _, e := range x {
			keyPaths(e, prefix+"[]", out)
		}
	}
}

func shape(v any) map[string]bool {
	out := map[string]bool{}
	keyPaths(v, "", out)
	return out
}

func loadSDK(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/sagemaker/sdk-expected", name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// allSteps walks top-level steps and condition branches.
func allSteps(steps []any, out *[]map[string]any) {
	for _, s := range steps {
		m := s.(map[string]any)
		*out = append(*out, m)
		if args, ok := m["Arguments"].(map[string]any); ok {
			for _, br := range []string{"IfSteps", "ElseSteps"} {
				if b, ok := args[br].([]any); ok {
					allSteps(b, out)
				}
			}
		}
	}
}

// TestShapesMatchSDK compares the parts of our steps that the SageMaker
// Python SDK's own expected definitions also have: the keys we emit in each
// shared construct must be keys the SDK emits there (values differ: the SDK
// tests use fake arguments).
func TestShapesMatchSDK(t *testing.T) {
	res, err := sagemaker.Generate(compileExample(t, "dev"), fixedCode)
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(res.Definition, &def); err != nil {
		t.Fatal(err)
	}
	var ours []map[string]any
	allSteps(def["Steps"].([]any), &ours)
	byType := func(typ string) map[string]any {
		for _, s := range ours {
			if s["Type"] == typ {
				return s
			}
		}
		t.Fatalf("no %s step in our definition", typ)
		return nil
	}
	tests := []struct {
		name    string
		sdkFile string
		ourType string
		subtree func(step map[string]any) any
	}{
		{"processing property files", "processing_step_cache_propertyfiles.step.json", "Processing", func(s map[string]any) any { return s["PropertyFiles"] }},
		{"processing cache config", "processing_step_cache_propertyfiles.step.json", "Processing", func(s map[string]any) any { return s["CacheConfig"] }},
		{"processing inputs", "processing_step_cache_propertyfiles.step.json", "Processing", func(s map[string]any) any {
			return s["Arguments"].(map[string]any)["ProcessingInputs"]
		}},
		{"processing cluster config", "processing_step_cache_propertyfiles.step.json", "Processing", func(s map[string]any) any {
			return s["Arguments"].(map[string]any)["ProcessingResources"]
		}},
		{"retry policies", "retry_policies.step.json", "Processing", func(s map[string]any) any { return s["RetryPolicies"] }},
		{"fail message join", "fail_step_join.step.json", "Fail", func(s map[string]any) any { return s["Arguments"] }},
		{"register model inference specification", "register_model.step.json", "RegisterModel", func(s map[string]any) any {
			return s["Arguments"].(map[string]any)["InferenceSpecification"]
		}},
		{"register model metrics", "register_model.step.json", "RegisterModel", func(s map[string]any) any {
			return s["Arguments"].(map[string]any)["ModelMetrics"].(map[string]any)["ModelQuality"]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sdk := tt.subtree(loadSDK(t, tt.sdkFile))
			our := tt.subtree(byType(tt.ourType))
			if sdk == nil || our == nil {
				t.Fatalf("subtree missing: sdk %v, ours %v", sdk != nil, our != nil)
			}
			sdkShape, ourShape := shape(sdk), shape(our)
			var extra []string
			for k := range ourShape {
				// Below a run-time expression the shapes are expressions, not arguments.
				if !sdkShape[k] && !strings.Contains(k, "Std:") && !strings.Contains(k, ".Get") {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("keys we emit that the SDK's %s does not have there: %v", tt.sdkFile, extra)
			}
		})
	}
}
