package defcheck

import (
	"encoding/json"
	"fmt"
	"math"
)

// Retry policy limits. MaxAttempts <= 20 and ExpireAfterMin <= 14400 are the SDK's
// MAX_ATTEMPTS_CAP and MAX_EXPIRE_AFTER_MIN (sagemaker.workflow.retry), as are the lower bounds and
// the either-or rule; IntervalSeconds <= 43200 (12 hours) is the maximum the AWS page "Retry Policy
// for Pipeline Steps" gives (not verifiable from the sources in this repository, see README.md).
const (
	minIntervalSeconds = 1
	maxIntervalSeconds = 43_200
	minMaxAttempts     = 1
	maxMaxAttempts     = 20
	minExpireAfterMin  = 1
	maxExpireAfterMin  = 14_400
	minBackoffRate     = 1.0
)

func retryPolicyProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		policies, _ := s.obj["RetryPolicies"].([]any)
		for i, v := range policies {
			rp, ok := v.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, retryPolicyRangeProblems(rp, child(s.ptr, "RetryPolicies", index(i)))...)
		}
	}
	return out
}

func retryPolicyRangeProblems(rp map[string]any, ptr string) []Problem {
	var out []Problem
	intIn := func(key string, lo, hi int64, why string) {
		v, present := rp[key]
		if !present {
			return
		}
		n, ok := integer(v)
		if !ok {
			return // the schema reports a value that is not an integer
		}
		if n < lo || n > hi {
			out = append(out, Problem{Path: child(ptr, key),
				Message: fmt.Sprintf("%s is %d; it must be between %d and %d%s", key, n, lo, hi, why)})
		}
	}
	intIn("IntervalSeconds", minIntervalSeconds, maxIntervalSeconds, " (seconds before the first retry)")
	intIn("MaxAttempts", minMaxAttempts, maxMaxAttempts, " (0 would mean never retry: drop the policy instead)")
	intIn("ExpireAfterMin", minExpireAfterMin, maxExpireAfterMin, " minutes (14400 is 10 days)")

	if v, present := rp["BackoffRate"]; present {
		if f, ok := number(v); ok && !(f >= minBackoffRate) {
			out = append(out, Problem{Path: child(ptr, "BackoffRate"),
				Message: fmt.Sprintf("BackoffRate is %v; it must be at least %v (it multiplies the wait after each attempt; below 1 the waits shrink)", f, minBackoffRate)})
		}
	}

	_, hasMax := rp["MaxAttempts"]
	_, hasExpire := rp["ExpireAfterMin"]
	if hasMax == hasExpire {
		out = append(out, Problem{Path: ptr,
			Message: "a retry policy needs exactly one of MaxAttempts and ExpireAfterMin (the SDK's RetryPolicy refuses both and neither)"})
	}
	return out
}

// integer reads a JSON number that is a whole number.
func integer(v any) (int64, bool) {
	f, ok := number(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}
