package defcheck

import (
	"fmt"
	"strings"
)

// cacheConfigProblems checks CacheConfig.ExpireAfter, which the service reads as an ISO 8601
// duration.
func cacheConfigProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		cfg, _ := s.obj["CacheConfig"].(map[string]any)
		v, ok := cfg["ExpireAfter"].(string)
		if !ok {
			continue
		}
		if err := checkISODuration(v); err != nil {
			out = append(out, Problem{Path: child(s.ptr, "CacheConfig", "ExpireAfter"),
				Message: fmt.Sprintf("ExpireAfter %q is not an ISO 8601 duration (%v); write e.g. PT1H, P30D or P4DT12H", v, err)})
		}
	}
	return out
}

// checkISODuration accepts PnYnMnWnDTnHnMnS with at least one component, designators in order,
// whole numbers except a decimal fraction in the seconds. Designators may be lower case: the SDK's
// CacheConfig documents 'p30d'.
func checkISODuration(s string) error {
	u := strings.ToUpper(s)
	rest, ok := strings.CutPrefix(u, "P")
	if !ok {
		return fmt.Errorf("it must start with P")
	}
	date, clock, hasT := strings.Cut(rest, "T")
	if hasT && clock == "" {
		return fmt.Errorf("the time part after T needs hours, minutes or seconds")
	}
	n, err := components(date, "YMWD", false)
	if err != nil {
		return err
	}
	m, err := components(clock, "HMS", true)
	if err != nil {
		return err
	}
	if n+m == 0 {
		return fmt.Errorf("it has no components")
	}
	return nil
}

// components parses a run of <number><designator> pairs whose designators appear in the order of
// designators, and returns how many there were.
func components(s, designators string, fractionalSeconds bool) (int, error) {
	count, next := 0, 0
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
			i++
		}
		if i == len(s) {
			return 0, fmt.Errorf("%q has no designator", s)
		}
		num, d := s[:i], s[i]
		pos := strings.IndexByte(designators[next:], d)
		if pos < 0 {
			return 0, fmt.Errorf("unexpected %q", string(d))
		}
		if num == "" || num[0] == '.' || num[0] == ',' {
			return 0, fmt.Errorf("%q needs a number", string(d))
		}
		if strings.ContainsAny(num, ".,") && !(fractionalSeconds && d == 'S') {
			return 0, fmt.Errorf("only seconds may have a fraction")
		}
		next += pos + 1
		count++
		s = s[i+1:]
	}
	return count, nil
}
