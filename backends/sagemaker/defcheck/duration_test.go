package defcheck

import "testing"

func TestCheckISODuration(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
	}{
		{"PT1H", ""},
		{"P30D", ""},
		{"p30d", ""}, // the SDK's CacheConfig docstring example
		{"P4DT12H", ""},
		{"P1Y2M3W4DT5H6M7.5S", ""},
		{"PT0.5S", ""},
		{"P2W", ""},
		{"T12H", "it must start with P"}, // also in the SDK docstring, but not ISO 8601
		{"", "it must start with P"},
		{"P", "it has no components"},
		{"PT", "the time part after T needs hours, minutes or seconds"},
		{"P1H", `unexpected "H"`},
		{"PT1D", `unexpected "D"`},
		{"P1D2Y", `unexpected "Y"`},
		{"P1.5D", "only seconds may have a fraction"},
		{"PD", `"D" needs a number`},
		{"P12", `"12" has no designator`},
		{"PT1H1H", `unexpected "H"`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			err := checkISODuration(tc.in)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("checkISODuration(%q) = %q, want %q", tc.in, got, tc.wantErr)
			}
		})
	}
}
