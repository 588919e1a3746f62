package prepare

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestScanObject(t *testing.T) {
	index := map[string]int{"text": 0, "intent": 1, "ké\"y": 2}
	tests := []struct {
		line    string
		want    []string // raw values; "" for absent
		wantErr string
	}{
		{`{"text": "hi", "intent": "a"}`, []string{`"hi"`, `"a"`, ""}, ""},
		{` { "intent" : 3 , "text":"x\"y}" } `, []string{`"x\"y}"`, `3`, ""}, ""},
		{`{"meta": {"text": "nested", "a": [1, {"b": "]"}]}, "text": null}`, []string{`null`, "", ""}, ""},
		{`{"k\u00e9\"y": true, "text": "a", "text": "last wins"}`, []string{`"last wins"`, "", `true`}, ""},
		{`{}`, []string{"", "", ""}, ""},
		{`{"text": [1,2], "intent": -1.5e3}`, []string{`[1,2]`, `-1.5e3`, ""}, ""},
		{`["text", "a"]`, nil, "not an object"},
		{`{"text": "unterminated}`, nil, "unexpected end of JSON input"},
		{`{"text": 01}`, nil, "invalid character"},
	}
	for _, tt := range tests {
		vals := make([]json.RawMessage, 3)
		err := scanObject([]byte(tt.line), index, vals)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		for i, w := range tt.want {
			if string(vals[i]) != w {
				t.Errorf("%s: value %d = %q, want %q", tt.line, i, vals[i], w)
			}
		}
	}
}

// FuzzScanObject checks the scanner against encoding/json: on every line
// that decodes into an object, each wanted key has the same raw value.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{`{"text": "hi", "intent": "a"}`, `{"a": {"text": 1}, "text": [1, "]"]}`, `{"te\u0078t": null}`, `{}`, `[1]`, `{"text": "\\"}`} {
		f.Add(s)
	}
	index := map[string]int{"text": 0, "intent": 1}
	f.Fuzz(func(t *testing.T, line string) {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(line), &want)
		if wantErr == nil && want == nil {
			wantErr = errors.New("null is not an object") // the scanner refuses it too
		}
		vals := make([]json.RawMessage, 2)
		err := scanObject([]byte(line), index, vals)
		if (wantErr == nil) != (err == nil) {
			t.Fatalf("%q: scanner error %v, encoding/json error %v", line, err, wantErr)
		}
		if err != nil {
			return
		}
		for k, i := range index {
			if string(vals[i]) != string(want[k]) {
				t.Errorf("%q: %s = %q, encoding/json %q", line, k, vals[i], want[k])
			}
		}
	})
}
