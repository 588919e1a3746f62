package localrun

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// The command line the HF training toolkit builds from the SDK's
// JSON-encoded hyperparameters.
func TestToolkitArgs(t *testing.T) {
	hps := map[string]string{
		"epochs":                     "3",
		"learning_rate":              "0.002",
		"tiny":                       "1e-05",
		"big":                        "1e+16",
		"method":                     `"lora"`,
		"quantize_int8":              `"true"`,
		"flag":                       "true",
		"modules":                    `["query", "value"]`,
		"raw":                        "not json",
		"one":                        "1.0",
		"sagemaker_program":          `"train.py"`,
		"sagemaker_submit_directory": `"s3://b/code.tar.gz"`,
	}
	args, _, err := toolkitArgs(hps)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--big", "1e+16", "--epochs", "3", "--flag", "True", "--learning_rate", "0.002", "--method", "lora",
		"--modules", "['query', 'value']", "--one", "1.0", "--quantize_int8", "true", "--raw", "not json", "--tiny", "1e-05",
	}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	for f, want := range map[float64]string{0.0001: "0.0001", 1e-5: "1e-05", 123456.0: "123456.0", 2.5e-7: "2.5e-07", 1e22: "1e+22"} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestISODuration(t *testing.T) {
	for in, want := range map[string]string{"P30D": "720h0m0s", "PT12H": "12h0m0s", "P1W": "168h0m0s", "PT90S": "1m30s"} {
		d, err := parseISODuration(in)
		if err != nil || d.String() != want {
			t.Errorf("%s: %v %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"30D", "P", "PT", "P1.5D"} {
		if _, err := parseISODuration(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
