package cost

import (
	"fmt"
	"strings"
)

// Money writes an amount as the plan shows it: two decimals, with the
// currency symbol for USD.
func Money(currency string, v float64) string {
	if currency == "USD" || currency == "" {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("%.2f %s", v, currency)
}

// Amount writes a range: one figure when exact, "low to high" otherwise.
func Amount(currency string, r Range) string {
	if Money(currency, r.Low) == Money(currency, r.High) {
		return Money(currency, r.High)
	}
	return Money(currency, r.Low) + " to " + Money(currency, r.High)
}

// Lines renders the estimate for the text plan, one fact a line.
func (e *Estimate) Lines() []string {
	var out []string
	per := "Per run (upper bound: every step for its whole max runtime)"
	if !e.Run.Complete {
		per += ", excluding what has no price"
	}
	if e.Run.Priced == 0 && len(e.Run.Steps) > 0 {
		out = append(out, "Per run: no price")
	} else {
		out = append(out, per+": "+Amount(e.Currency, e.Run.Total))
	}
	for _, s := range e.Run.Steps {
		l := fmt.Sprintf("  %s: %s x%d, %s", s.Block, s.InstanceType, s.InstanceCount, hours(s.MaxRuntimeSeconds))
		if s.Spot {
			l += " spot"
		}
		l += fmt.Sprintf(", %d GB", s.VolumeSizeGB)
		switch {
		case s.Total != nil:
			l += ": " + Amount(e.Currency, *s.Total)
			if s.Spot && e.SpotSavings != nil {
				l += fmt.Sprintf(" (spot saves %g-%g%%, known only after the run)", e.SpotSavings.Min*100, e.SpotSavings.Max*100)
			}
		default:
			l += ": no price"
		}
		out = append(out, l)
	}
	mon := "Fixed per month"
	if !e.Monthly.Complete {
		mon += ", excluding what has no price"
	}
	if e.Monthly.Priced == 0 && len(e.Monthly.Items) > 0 {
		out = append(out, "Fixed per month: no price")
	} else {
		out = append(out, mon+": "+Money(e.Currency, e.Monthly.Total))
	}
	for _, it := range e.Monthly.Items {
		l := fmt.Sprintf("  %s x%d", it.What, it.Count)
		if it.Monthly != nil {
			l += ": " + Money(e.Currency, *it.Monthly)
		} else {
			l += ": no price"
		}
		out = append(out, l)
	}
	out = append(out, "  not counted: "+strings.Join(e.Monthly.NotCounted, "; "))
	for _, m := range e.Missing {
		out = append(out, "No price: "+m)
	}
	out = append(out, "Prices: "+e.Prices+"; sources in compiler/cost/prices.json")
	return out
}

func hours(s int) string {
	switch {
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}

// Diff says how the cost changed between two estimates, one line per step
// whose upper bound moved and one for the fixed monthly cost, e.g.
// "finetune.intent: $1.21 -> $4.84 per run (upper bound)".
func Diff(before, after *Estimate) []string {
	if before == nil || after == nil {
		return nil
	}
	cur := after.Currency
	show := func(r *Range) string {
		if r == nil {
			return "no price"
		}
		return Amount(cur, *r)
	}
	old := map[string]*Range{}
	seen := map[string]bool{}
	for _, s := range before.Run.Steps {
		old[s.Block] = s.Total
		seen[s.Block] = true
	}
	var out []string
	for _, s := range after.Run.Steps {
		o, was := old[s.Block]
		delete(seen, s.Block)
		switch {
		case !was:
			out = append(out, fmt.Sprintf("%s: new, %s per run (upper bound)", s.Block, show(s.Total)))
		case show(o) != show(s.Total):
			out = append(out, fmt.Sprintf("%s: %s -> %s per run (upper bound)", s.Block, show(o), show(s.Total)))
		}
	}
	for _, s := range before.Run.Steps {
		if seen[s.Block] {
			out = append(out, fmt.Sprintf("%s: removed, was %s per run (upper bound)", s.Block, show(s.Total)))
		}
	}
	if a, b := Amount(cur, before.Run.Total), Amount(cur, after.Run.Total); a != b {
		out = append(out, fmt.Sprintf("pipeline run: %s -> %s (upper bound)", a, b))
	}
	if a, b := Money(cur, before.Monthly.Total), Money(cur, after.Monthly.Total); a != b {
		out = append(out, fmt.Sprintf("fixed: %s -> %s per month", a, b))
	}
	return out
}
