package localrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func outURI(step, out string) string {
	return "Steps." + step + ".ProcessingOutputConfig.Outputs['" + out + "'].S3Output.S3Uri"
}

// A fans out to B and C, which must run at the same time (each waits for
// the other's marker), and D waits for both through DependsOn.
func parallelDefinition(markers string) ([]byte, map[string][]byte) {
	wait := func(me, other string) string {
		return `touch "` + markers + `/` + me + `"
i=0; while [ ! -e "` + markers + `/` + other + `" ]; do i=$((i+1)); [ $i -gt 100 ] && { echo "` + other + ` never started" >&2; exit 3; }; sleep 0.05; done
cat $IN/a/value > "$OUT/r/value"; echo ` + me + ` >> "$OUT/r/value"`
	}
	d := processing("D",
		map[string]any{"b": get(outURI("B", "r")), "c": get(outURI("C", "r"))}, "r")
	d["DependsOn"] = []any{"B", "C"}
	def := definition(nil,
		d,
		processing("A", nil, "a"),
		processing("B", map[string]any{"a": get(outURI("A", "a"))}, "r"),
		processing("C", map[string]any{"a": get(outURI("A", "a"))}, "r"),
	)
	return def, scripts(map[string]string{"A": `echo a > "$OUT/a/value"`, "B": wait("B", "C"), "C": wait("C", "B"),
		"D": `cat $IN/b/value $IN/c/value > "$OUT/r/value"`})
}

func TestOrderAndParallelBranches(t *testing.T) {
	def, files := parallelDefinition(t.TempDir())
	res, rec := run(t, Options{Definition: def, Files: files, Parallel: 2})
	if res.Status != "Succeeded" {
		t.Fatalf("status %s: %s", res.Status, res.FailureReason)
	}
	var order []string
	for _, e := range rec.events {
		if e.Event == "step_started" || e.Event == "step_succeeded" {
			order = append(order, e.Event[5:]+" "+e.Step)
		}
	}
	idx := func(s string) int { return slices.Index(order, s) }
	if idx("succeeded A") > idx("started B") || idx("succeeded A") > idx("started C") {
		t.Errorf("B or C started before A ended: %v", order)
	}
	if idx("started D") < idx("succeeded B") || idx("started D") < idx("succeeded C") {
		t.Errorf("D started before B and C ended: %v", order)
	}
	// D read both branches' outputs, each holding A's.
	got := readFile(t, filepath.Join(res.Dir, "..", "..", "storage", "out", res.ExecutionID, "D", "r", "value"))
	if got != "a\nB\na\nC\n" {
		t.Errorf("D's output %q", got)
	}
}

// With one step at a time the branches cannot meet: the test above would
// fail if the executor ran them in sequence.
func TestParallelOneAtATime(t *testing.T) {
	def, files := parallelDefinition(t.TempDir())
	res, rec := run(t, Options{Definition: def, Files: files, Parallel: 1})
	if res.Status != "Failed" || !strings.Contains(res.FailureReason, "never started") {
		t.Fatalf("status %s (%s); want a failure of the first branch", res.Status, res.FailureReason)
	}
	if res.Steps["D"] != stateNotExecuted {
		t.Errorf("D is %s after its dependency failed; want NotExecuted", res.Steps["D"])
	}
	if n := len(rec.of("step_not_executed")); n == 0 {
		t.Error("no step_not_executed event")
	}
}

func TestParameters(t *testing.T) {
	params := []any{
		obj{"Name": "Uri", "Type": "String", "DefaultValue": "s3://in/raw/"},
		obj{"Name": "Epochs", "Type": "Integer", "DefaultValue": 3},
		obj{"Name": "Min", "Type": "Float", "DefaultValue": 0.5},
		obj{"Name": "Quick", "Type": "Boolean", "DefaultValue": false},
		obj{"Name": "Approval", "Type": "String", "DefaultValue": "Approved", "EnumValues": []any{"Approved", "PendingManualApproval"}},
	}
	script := `printf '%s %s %s %s %s\n' "$URI" "$EPOCHS" "$MIN" "$QUICK" "$APPROVAL" > "$OUT/r/value"`
	step := processing("P", nil, "r")
	step["Arguments"].(obj)["Environment"] = obj{"OUT": "/opt/ml/processing/output", "IN": "/opt/ml/processing/input",
		"URI": get("Parameters.Uri"), "EPOCHS": join(get("Parameters.Epochs")), "MIN": join(get("Parameters.Min")),
		"QUICK": join(get("Parameters.Quick")), "APPROVAL": get("Parameters.Approval")}
	def := definition(params, step)
	files := scripts(map[string]string{"P": script})
	tests := []struct {
		name    string
		params  map[string]string
		want    string
		wantErr string
	}{
		{name: "defaults", want: "s3://in/raw/ 3 0.5 false Approved\n"},
		{name: "overrides", params: map[string]string{"Epochs": "7", "Min": "0.95", "Quick": "true", "Approval": "PendingManualApproval", "Uri": "s3://x/"},
			want: "s3://x/ 7 0.95 true PendingManualApproval\n"},
		{name: "unknown", params: map[string]string{"MinAccuracy": "1"}, wantErr: "--param MinAccuracy: the pipeline has no parameter MinAccuracy (it has Approval, Epochs, Min, Quick, Uri)"},
		{name: "not an integer", params: map[string]string{"Epochs": "2.5"}, wantErr: "--param Epochs=2.5: want an integer"},
		{name: "not a number", params: map[string]string{"Min": "high"}, wantErr: "--param Min=high: want a number"},
		{name: "not a boolean", params: map[string]string{"Quick": "maybe"}, wantErr: "--param Quick=maybe: want true or false"},
		{name: "not in the enum", params: map[string]string{"Approval": "Yes"}, wantErr: "parameter Approval=Yes: want one of Approved, PendingManualApproval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			opts := Options{Definition: def, Files: files, Params: tt.params, Out: out, Events: func(Event) {}, Environ: os.Environ()}
			res, err := Run(context.Background(), opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v; want %q", err, tt.wantErr)
				}
				if _, serr := os.Stat(filepath.Join(out, "executions")); serr == nil {
					t.Error("an execution started despite the bad parameter")
				}
				return
			}
			if err != nil || res.Status != "Succeeded" {
				t.Fatalf("err %v, result %+v", err, res)
			}
			got := readFile(t, filepath.Join(out, "storage", "out", res.ExecutionID, "P", "r", "value"))
			if got != tt.want {
				t.Errorf("step saw %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBadData(t *testing.T) {
	raw := processing("Prepare-intents", map[string]any{"raw": get("Parameters.InputDataUri")}, "train")
	def := definition([]any{obj{"Name": "InputDataUri", "Type": "String", "DefaultValue": "s3://data/raw/intents/"}}, raw)
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.jsonl")
	if err := os.WriteFile(file, []byte(`{"text":"hi","intent":"greet"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    map[string]string
		wantErr string
	}{
		{name: "missing path", data: map[string]string{"intents": filepath.Join(dir, "nope")}, wantErr: "--data intents=" + filepath.Join(dir, "nope") + ": stat"},
		{name: "unknown dataset", data: map[string]string{"tickets": file}, wantErr: "--data tickets=" + file + ": the pipeline has no dataset tickets (it has intents)"},
		{name: "not s3", data: map[string]string{"/tmp/x": file}, wantErr: "the pipeline has no dataset /tmp/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Definition: def, Data: tt.data, Out: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v; want %q", err, tt.wantErr)
			}
		})
	}
	for _, tt := range []struct{ in, wantErr string }{
		{"intents", `--data "intents": want NAME=VALUE`},
		{"=x", `--data "=x": want NAME=VALUE`},
	} {
		if _, err := ParseAssignments("data", []string{tt.in}); err == nil || err.Error() != tt.wantErr {
			t.Errorf("ParseAssignments(%q): %v; want %q", tt.in, err, tt.wantErr)
		}
	}
	if _, err := ParseAssignments("param", []string{"A=1", "A=2"}); err == nil || err.Error() != "--param A is given twice" {
		t.Errorf("duplicate: %v", err)
	}
	// A good seed: the file lands where the parameter points, the source
	// stays as it was.
	script := `cat $IN/raw/rows.jsonl > "$OUT/train/data.jsonl"`
	raw = processing("Prepare-intents", map[string]any{"raw": get("Parameters.InputDataUri")}, "train")
	def = definition([]any{obj{"Name": "InputDataUri", "Type": "String", "DefaultValue": "s3://data/raw/intents/"}}, raw)
	res, _ := run(t, Options{Definition: def, Files: scripts(map[string]string{"Prepare-intents": script}), Data: map[string]string{"intents": file}})
	if res.Status != "Succeeded" {
		t.Fatalf("%s: %s", res.Status, res.FailureReason)
	}
	if got := readFile(t, filepath.Join(res.Dir, "..", "..", "storage", "data", "raw", "intents", "rows.jsonl")); got != `{"text":"hi","intent":"greet"}`+"\n" {
		t.Errorf("seeded %q", got)
	}
}

// evaluationStep writes a report (evaluationScript) to an output with a
// property file; gates read it.
func evaluationStep() obj {
	s := processing("Evaluate", nil, "evaluation")
	s["PropertyFiles"] = []any{obj{"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}}
	return s
}

func evaluationScript(report string) string {
	return `cat > "$OUT/evaluation/evaluation.json" <<'JSON'
` + report + `
JSON`
}

func jsonGet(path string) obj {
	return obj{"Std:JsonGet": obj{"PropertyFile": get("Steps.Evaluate.PropertyFiles.EvaluationReport"), "Path": path}}
}

func TestGateAndFail(t *testing.T) {
	report := `{"metrics": {"accuracy": {"value": 0.91}, "labels": ["a", "b"]}, "latency": [{"p95": 12.5}]}`
	gate := func(min any) obj {
		return obj{"Name": "Gate", "Type": "Condition", "Arguments": obj{
			"Conditions": []any{
				obj{"Type": "GreaterThanOrEqualTo", "LeftValue": jsonGet("metrics.accuracy.value"), "RightValue": min},
				obj{"Type": "LessThan", "LeftValue": jsonGet("latency[0].p95"), "RightValue": 50},
			},
			"IfSteps": []any{processing("Ship", map[string]any{"eval": get(outURI("Evaluate", "evaluation"))}, "r")},
			"ElseSteps": []any{obj{"Name": "Gate-Failed", "Type": "Fail", "Arguments": obj{"ErrorMessage": join(
				"Below the bar. Measured: accuracy=", jsonGet("metrics.accuracy.value"), " (min ", min, ").")}}},
		}}
	}
	files := scripts(map[string]string{"Evaluate": evaluationScript(report), "Ship": `echo shipped > "$OUT/r/value"`})
	params := []any{obj{"Name": "MinAccuracy", "Type": "Float", "DefaultValue": 0.9}}
	def := definition(params, evaluationStep(), gate(get("Parameters.MinAccuracy")))

	res, rec := run(t, Options{Definition: def, Files: files})
	if res.Status != "Succeeded" || res.Steps["Ship"] != stateSucceeded || res.Steps["Gate-Failed"] != stateNotExecuted {
		t.Fatalf("passing gate: %+v", res)
	}
	conds := rec.of("condition_evaluated")
	if len(conds) != 1 || !*conds[0].Outcome || conds[0].Conditions[0].What != "accuracy" {
		t.Fatalf("condition events %+v", conds)
	}

	res, rec = run(t, Options{Definition: def, Files: files, Params: map[string]string{"MinAccuracy": "0.95"}})
	if res.Status != "Failed" || res.FailureReason != "Below the bar. Measured: accuracy=0.91 (min 0.95)." {
		t.Fatalf("failing gate: status %s, reason %q", res.Status, res.FailureReason)
	}
	if res.Steps["Ship"] != stateNotExecuted || res.Steps["Gate-Failed"] != stateFailed {
		t.Errorf("steps %v", res.Steps)
	}
	if got := rec.of("execution_failed"); len(got) != 1 || got[0].Message != res.FailureReason {
		t.Errorf("execution_failed events %+v", got)
	}
}

func TestConditionOperators(t *testing.T) {
	r := fakeResolver{params: map[string]any{"F": 0.5, "I": int64(3), "S": "Approved", "B": true}}
	e := evaluator{r: r}
	p := func(n string) obj { return get("Parameters." + n) }
	cmp2 := func(typ string, l, rr any) obj { return obj{"Type": typ, "LeftValue": l, "RightValue": rr} }
	tests := []struct {
		name    string
		cond    obj
		want    bool
		wantErr string
	}{
		{"equals numbers across types", cmp2("Equals", p("I"), 3.0), true, ""},
		{"equals strings", cmp2("Equals", p("S"), "Approved"), true, ""},
		{"equals strings differ", cmp2("Equals", p("S"), "Rejected"), false, ""},
		{"equals booleans", cmp2("Equals", p("B"), true), true, ""},
		{"greater than", cmp2("GreaterThan", p("F"), 0.5), false, ""},
		{"greater than or equal", cmp2("GreaterThanOrEqualTo", p("F"), 0.5), true, ""},
		{"less than", cmp2("LessThan", p("I"), 4), true, ""},
		{"less than or equal", cmp2("LessThanOrEqualTo", p("I"), 2), false, ""},
		{"in", obj{"Type": "In", "QueryValue": p("S"), "Values": []any{"PendingManualApproval", "Approved"}}, true, ""},
		{"not in", obj{"Type": "In", "QueryValue": p("I"), "Values": []any{1, 2}}, false, ""},
		{"not", obj{"Type": "Not", "Expression": cmp2("LessThan", p("I"), 4)}, false, ""},
		{"or", obj{"Type": "Or", "Conditions": []any{cmp2("LessThan", p("I"), 1), cmp2("Equals", p("S"), "Approved")}}, true, ""},
		{"nested not or", obj{"Type": "Not", "Expression": obj{"Type": "Or", "Conditions": []any{
			cmp2("GreaterThan", p("F"), 1), obj{"Type": "Not", "Expression": cmp2("Equals", p("B"), false)}}}}, false, ""},
		{"number with string", cmp2("GreaterThan", p("S"), 1), false, `GreaterThan cannot compare the string "Approved" with the number 1`},
		{"unknown type", obj{"Type": "Between"}, false, `condition type "Between" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Round-trip so numbers are json.Number as in a definition.
			c, _ := decodeJSON(mustJSON(tt.cond))
			got, err := evalCondition(e, c)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != tt.want {
				t.Errorf("outcome %v, want %v (%+v)", got.Outcome, tt.want, got)
			}
		})
	}
	// A list of conditions is a conjunction.
	all, _, err := evalConditions(e, []any{mustDecode(cmp2("Equals", p("B"), true)), mustDecode(cmp2("LessThan", p("I"), 1))})
	if err != nil || all {
		t.Errorf("conjunction: %v, %v", all, err)
	}
}

type fakeResolver struct{ params map[string]any }

func (f fakeResolver) parameter(n string) (any, bool) { v, ok := f.params[n]; return v, ok }
func (f fakeResolver) execution(string) string        { return "exec" }
func (f fakeResolver) stepProperty(string, []segment) (any, error) {
	return nil, errors.New("no steps")
}

func mustJSON(v any) []byte {
	b, err := jsonMarshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustDecode(v any) any {
	d, err := decodeJSON(mustJSON(v))
	if err != nil {
		panic(err)
	}
	return d
}

func TestCaching(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	script := `echo run >> "` + counter + `"; cat $IN/raw/* > "$OUT/r/value"`
	step := processing("Prepare-intents", map[string]any{"raw": "s3://data/raw/"}, "r")
	step["CacheConfig"] = obj{"Enabled": true, "ExpireAfter": "P30D"}
	after := processing("Use", map[string]any{"p": get(outURI("Prepare-intents", "r"))}, "r")
	def := definition(nil, step, after)
	files := scripts(map[string]string{"Prepare-intents": script, "Use": `cp $IN/p/value "$OUT/r/value"`})
	data := filepath.Join(t.TempDir(), "d.jsonl")
	write := func(s string) {
		if err := os.WriteFile(data, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one\n")
	out := t.TempDir()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := Options{Definition: def, Files: files, Out: out, Data: map[string]string{"s3://data/raw/": data}, Now: func() time.Time { return now }}
	runs := func() int { return strings.Count(readFile(t, counter), "run") }

	first, _ := run(t, opts)
	second, rec := run(t, opts)
	if first.Status != "Succeeded" || second.Status != "Succeeded" {
		t.Fatalf("%+v %+v", first, second)
	}
	if runs() != 1 || second.Steps["Prepare-intents"] != stateCached {
		t.Fatalf("second run: step ran %d times, state %s; want a cache hit", runs(), second.Steps["Prepare-intents"])
	}
	if c := rec.of("step_cached"); len(c) != 1 || c[0].CachedFrom != first.ExecutionID {
		t.Errorf("step_cached events %+v", c)
	}
	// The later step read the cached run's output.
	if got := readFile(t, filepath.Join(out, "storage", "out", second.ExecutionID, "Use", "r", "value")); got != "one\n" {
		t.Errorf("Use read %q", got)
	}

	cases := []struct {
		name  string
		tweak func()
		hit   bool
	}{
		{"new input content", func() { write("two\n") }, false},
		{"same again", func() {}, true},
		{"no-cache", func() { opts.NoCache = true }, false},
		{"expired", func() { opts.NoCache = false; now = now.AddDate(0, 0, 31) }, false},
	}
	for _, c := range cases {
		before := runs()
		c.tweak()
		res, _ := run(t, opts)
		if res.Status != "Succeeded" {
			t.Fatalf("%s: %s", c.name, res.FailureReason)
		}
		if hit := runs() == before; hit != c.hit {
			t.Errorf("%s: cache hit %v, want %v", c.name, hit, c.hit)
		}
	}
}

func TestUnsupportedConstructs(t *testing.T) {
	bad := processing("Custom", nil, "r")
	bad["Arguments"].(obj)["AppSpecification"] = obj{"ImageUri": "my/image", "ContainerEntrypoint": []any{"python", "x.py"}}
	ok := processing("Uses", map[string]any{"x": join(get("Execution.StartDateTime"))}, "r")
	ok["Arguments"].(obj)["Environment"] = obj{"X": obj{"Std:Select": obj{}}, "Y": get("Steps.Nope.ProcessingJobName")}
	def := definition(nil, bad, ok, obj{"Name": "Transform-1", "Type": "Transform", "Arguments": obj{}})
	out := t.TempDir()
	_, err := Run(context.Background(), Options{Definition: def, Out: out})
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v; want an UnsupportedError", err)
	}
	want := []string{
		"step Custom: a container entrypoint other than the slm step runner's (local runs execute slm steps, not container images)",
		"step Transform-1: step type Transform (local runs support Processing, Training, Condition, Fail and RegisterModel)",
		"step Uses: Get Execution.StartDateTime: execution variable StartDateTime",
		"step Uses: Get Steps.Nope.ProcessingJobName: no step Nope",
		"step Uses: function Std:Select",
	}
	if diff := cmp.Diff(want, ue.Constructs); diff != "" {
		t.Errorf("constructs (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(out, "executions")); err == nil {
		t.Error("an execution started")
	}
	// A cycle is refused too.
	a := processing("A", map[string]any{"b": get(outURI("B", "r"))}, "r")
	b := processing("B", map[string]any{"a": get(outURI("A", "r"))}, "r")
	_, err = Run(context.Background(), Options{Definition: definition(nil, a, b), Out: t.TempDir()})
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "a dependency cycle: A -> B -> A") {
		t.Errorf("cycle: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	report := `{"metrics": {"accuracy": {"value": 0.91}}}`
	reg := func(status any) obj {
		return obj{"Name": "Register", "Type": "RegisterModel", "Arguments": obj{
			"ModelPackageGroupName": "intents", "ModelApprovalStatus": status,
			"InferenceSpecification": obj{"Containers": []any{obj{"Image": "x", "ModelDataUrl": join(get(outURI("Evaluate", "evaluation")), "/evaluation.json")}}},
			"ModelMetrics": obj{"ModelQuality": obj{"Statistics": obj{"ContentType": "application/json",
				"S3Uri": join(get(outURI("Evaluate", "evaluation")), "/evaluation.json")}}},
			"CustomerMetadataProperties": obj{"slm:execution": get("Execution.PipelineExecutionArn")},
		}}
	}
	files := scripts(map[string]string{"Evaluate": evaluationScript(report)})
	params := []any{obj{"Name": "Approval", "Type": "String", "DefaultValue": "Approved"}}
	def := definition(params, evaluationStep(), reg(get("Parameters.Approval")))
	out := t.TempDir()
	first, _ := run(t, Options{Definition: def, Files: files, Out: out})
	second, rec := run(t, Options{Definition: def, Files: files, Out: out, Params: map[string]string{"Approval": "PendingManualApproval"}})
	if first.Status != "Succeeded" || second.Status != "Succeeded" {
		t.Fatalf("%+v %+v", first, second)
	}
	if got := rec.of("registered"); len(got) != 1 || got[0].Registered != filepath.Join(out, "registry", "intents", "2.json") {
		t.Fatalf("registered events %+v", got)
	}
	latest, err := LatestApproved(filepath.Join(out, "registry"), "intents")
	if err != nil {
		t.Fatal(err)
	}
	if latest.ModelPackageVersion != 1 || latest.Lineage.ExecutionID != first.ExecutionID {
		t.Errorf("latest approved: %+v", latest)
	}
	acc, _ := jsonPath(latest.Metrics, "metrics.accuracy.value")
	if f, _ := number(acc); f != 0.91 {
		t.Errorf("metrics %v", latest.Metrics)
	}
	if !strings.HasSuffix(str(latest.CustomerMetadataProperties["slm:execution"]), "/execution/"+first.ExecutionID) {
		t.Errorf("metadata %v", latest.CustomerMetadataProperties)
	}
}
