package defchecktest

import (
	"fmt"
	"os"
	"testing"
)

// recorder captures a failure instead of failing the enclosing test.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestMustPass(t *testing.T) {
	valid, err := os.ReadFile("../testdata/intent-pipeline.definition.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		def  string
		want []string
	}{
		{name: "valid", def: string(valid)},
		{
			name: "two problems",
			def:  `{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Training", "Arguments": {}, "DependsOn": ["B"]}, {"Name": "A", "Type": "Training", "Arguments": {}}]}`,
			want: []string{"the pipeline definition does not pass defcheck (2 problems):" +
				"\n  /Steps/0/DependsOn/0: DependsOn names step \"B\", which the definition does not define" +
				"\n  /Steps/1/Name: step name \"A\" is already used by the step at /Steps/0; step names must be unique across the definition, condition branches included"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			MustPass(r, []byte(tc.def))
			if fmt.Sprint(r.failures) != fmt.Sprint(tc.want) {
				t.Errorf("failures %q, want %q", r.failures, tc.want)
			}
		})
	}
}
