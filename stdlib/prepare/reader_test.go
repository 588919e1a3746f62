package prepare

import (
	"encoding/json"
	"testing"
)

func TestJSONString(t *testing.T) {
	tests := []struct {
		raw         string
		allowScalar bool
		want        string
		null        bool
		wantErr     bool
	}{
		{`"plain"`, false, "plain", false, false},
		{`"caf\u00e9 \"quoted\" \\ tab\t"`, false, "café \"quoted\" \\ tab\t", false, false},
		{`"\ud83d\udc4b"`, false, "👋", false, false},
		{`"  "`, false, "", true, false},
		{`"\u0020"`, false, "", true, false},
		{`null`, false, "", true, false},
		{``, false, "", true, false}, // absent field
		{`42`, true, "42", false, false},
		{`true`, true, "true", false, false},
		{`42`, false, "", false, true},
		{`["a"]`, true, "", false, true},
	}
	for _, tt := range tests {
		got, null, err := jsonString(json.RawMessage(tt.raw), tt.allowScalar)
		if (err != nil) != tt.wantErr || got != tt.want || null != tt.null {
			t.Errorf("jsonString(%s, %t) = %q, %t, %v; want %q, %t, error %t", tt.raw, tt.allowScalar, got, null, err, tt.want, tt.null, tt.wantErr)
		}
	}
}
