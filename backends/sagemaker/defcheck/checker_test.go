package defcheck

import (
	"os"
	"reflect"
	"sync"
	"testing"
)

func TestSortProblemsOrdersIndexesNumerically(t *testing.T) {
	got := sortProblems([]Problem{
		{"/Steps/10/Name", "b"},
		{"/Steps/2/Name", "b"},
		{"/Steps/2/Name", "a"},
		{"", "size"},
		{"/Parameters/0", "x"},
		{"/Steps/2/Name", "a"},
	})
	want := []Problem{{"", "size"}, {"/Parameters/0", "x"}, {"/Steps/2/Name", "a"}, {"/Steps/2/Name", "b"}, {"/Steps/10/Name", "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestPointerEscapes(t *testing.T) {
	if got, want := pointer("Environment", "a/b~c"), "/Environment/a~1b~0c"; got != want {
		t.Errorf("pointer = %q, want %q", got, want)
	}
}

// TestCheckIsDeterministicAndConcurrent runs the same broken definition from several goroutines
// (the package checks maps, whose order Go randomises) and expects identical output every time.
func TestCheckIsDeterministicAndConcurrent(t *testing.T) {
	base, err := os.ReadFile(intentPipeline)
	if err != nil {
		t.Fatal(err)
	}
	def := applyEdits(t, base, []edit{
		{prepare + "/DependsOn", `["Evaluate", "Nope"]`},
		{train + "/Arguments/Bogus", `1`},
		{train + "/Arguments/Extra", `1`},
		{failStep + "/Arguments/ErrorMessage", `{"Get": "Parameters.Missing"}`},
	})
	c := newChecker(t)
	want := c.Check(def)
	if len(want) != 4 {
		t.Fatalf("expected 4 problems, got %q", want)
	}
	var wg sync.WaitGroup
	results := make([][]Problem, 8)
	for i := range results {
		wg.Go(func() {
			for range 10 {
				results[i] = c.Check(def)
			}
		})
	}
	wg.Wait()
	for i, got := range results {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run %d: got %q\nwant %q", i, got, want)
		}
	}
}

func TestPackageCheckMatchesChecker(t *testing.T) {
	raw := readSDK(t, "pipeline_two_step.definition.json")
	if got, want := Check(raw), newChecker(t).Check(raw); !reflect.DeepEqual(got, want) {
		t.Errorf("Check = %q, Checker.Check = %q", got, want)
	}
}
