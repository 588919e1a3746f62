package defcheck

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// property-shapes.json is generated from botocore's SageMaker service model, the same data the
// SDK's sagemaker.workflow.properties.Properties walks to build step properties:
//
//	pip download botocore==1.44.8 --no-deps && unzip botocore-1.44.8-py3-none-any.whl 'botocore/data/sagemaker/*'
//	go test ./backends/sagemaker/defcheck -run TestPropertyShapes -botocore-sagemaker botocore/data/sagemaker/2017-07-24/service-2.json.gz -botocore-version 1.44.8
var (
	botocoreModel   = flag.String("botocore-sagemaker", "", "regenerate property-shapes.json from this botocore sagemaker service-2.json(.gz)")
	botocoreVersion = flag.String("botocore-version", "", "botocore version of -botocore-sagemaker, recorded in property-shapes.json")
)

const propertyShapesPath = "property-shapes.json"

// propertyRoots maps step types to the response shapes their properties come from (SDK steps.py,
// step_collections.py, tuning and AutoML steps).
var propertyRoots = map[string][]string{
	"AutoML":        {"DescribeAutoMLJobResponse"},
	"Model":         {"DescribeModelOutput"},
	"Processing":    {"DescribeProcessingJobResponse"},
	"RegisterModel": {"DescribeModelPackageOutput"},
	"Training":      {"DescribeTrainingJobResponse"},
	"Transform":     {"DescribeTransformJobResponse"},
	"Tuning":        {"DescribeHyperParameterTuningJobResponse", "ListTrainingJobsForHyperParameterTuningJobResponse"},
}

type botocoreShape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value struct {
		Shape string `json:"shape"`
	} `json:"value"`
}

func TestPropertyShapes(t *testing.T) {
	if *botocoreModel != "" {
		generatePropertyShapes(t)
	}
	raw, err := os.ReadFile(propertyShapesPath)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := parsePropertyShapes(raw)
	if err != nil {
		t.Fatal(err)
	}
	for typ, roots := range propertyRoots {
		if !slices.Equal(ps.Roots[typ], roots) {
			t.Errorf("roots of %s = %v, want %v", typ, ps.Roots[typ], roots)
		}
	}
	// Every reference must resolve, so the walker never meets an unknown shape.
	for name, s := range ps.Shapes {
		refs := []string{s.List, s.Map}
		for _, m := range s.Members {
			refs = append(refs, m)
		}
		for _, r := range refs {
			if r == "" || strings.HasPrefix(r, "@") {
				continue
			}
			if _, ok := ps.Shapes[r]; !ok {
				t.Errorf("shape %s refers to missing shape %s", name, r)
			}
		}
	}
}

func generatePropertyShapes(t *testing.T) {
	t.Helper()
	if *botocoreVersion == "" {
		t.Fatal("-botocore-version is required with -botocore-sagemaker")
	}
	f, err := os.Open(*botocoreModel)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(*botocoreModel, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	var model struct {
		Shapes map[string]botocoreShape `json:"shapes"`
	}
	if err := json.NewDecoder(r).Decode(&model); err != nil {
		t.Fatalf("decoding %s: %v", *botocoreModel, err)
	}
	out := map[string]propertyShape{}
	ref := func(name string) string {
		s, ok := model.Shapes[name]
		if !ok {
			t.Fatalf("botocore model has no shape %s", name)
		}
		switch s.Type {
		case "structure", "list", "map":
			return name
		}
		return "@" + s.Type
	}
	var walk func(name string)
	walk = func(name string) {
		if _, done := out[name]; done {
			return
		}
		s := model.Shapes[name]
		var ps propertyShape
		out[name] = ps // mark before recursing: shapes can be recursive
		var next []string
		switch s.Type {
		case "structure":
			ps.Members = map[string]string{}
			for m, info := range s.Members {
				ps.Members[m] = ref(info.Shape)
				next = append(next, info.Shape)
			}
		case "list":
			ps.List = ref(s.Member.Shape)
			next = append(next, s.Member.Shape)
		case "map":
			ps.Map = ref(s.Value.Shape)
			next = append(next, s.Value.Shape)
		default:
			t.Fatalf("root or container shape %s has type %s", name, s.Type)
		}
		out[name] = ps
		for _, n := range next {
			if !strings.HasPrefix(ref(n), "@") {
				walk(n)
			}
		}
	}
	for _, roots := range propertyRoots {
		for _, r := range roots {
			walk(r)
		}
	}

	// One shape per line, sorted, so regenerating against a newer botocore gives a readable diff.
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"source\": %q,\n  \"roots\": {\n", "botocore "+*botocoreVersion+
		", botocore/data/sagemaker/2017-07-24/service-2.json (Apache-2.0; see NOTICE-botocore.txt): shapes reachable from the step property roots")
	types := make([]string, 0, len(propertyRoots))
	for typ := range propertyRoots {
		types = append(types, typ)
	}
	slices.Sort(types)
	for i, typ := range types {
		roots, _ := json.Marshal(propertyRoots[typ])
		fmt.Fprintf(&buf, "    %q: %s%s\n", typ, roots, comma(i, len(types)))
	}
	buf.WriteString("  },\n  \"shapes\": {\n")
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		body, err := json.Marshal(out[n])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&buf, "    %q: %s%s\n", n, body, comma(i, len(names)))
	}
	buf.WriteString("  }\n}\n")
	tmp := propertyShapesPath + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, propertyShapesPath); err != nil {
		t.Fatal(err)
	}
}

func comma(i, n int) string {
	if i == n-1 {
		return ""
	}
	return ","
}
