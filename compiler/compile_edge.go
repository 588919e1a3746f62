package compiler

import (
	"github.com/hashicorp/hcl/v2"
	"sort"
	"strings"
	"time"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// Greengrass architecture names for the platforms a user writes.
var platformArch = map[string]string{
	"linux/amd64":   "amd64",
	"linux/x86_64":  "amd64",
	"linux/arm64":   "aarch64",
	"linux/aarch64": "aarch64",
}

func (c *compilation) edgeTargets() {
	for _, name := range sorted(c.cfg.EdgeTargets) {
		c.ev.in(lang.BlockEdgeTarget, name)
		eb := c.cfg.EdgeTargets[name]
		b := eb.Body
		t := ir.EdgeTarget{Name: name, Variant: "fp32", FailureHandling: "ROLLBACK", Range: eb.DeclRange}
		t.Register, _ = c.ev.ref(b.Model, lang.BlockRegister, exists(c.cfg.Registers), "model")
		t.Gates = c.ev.refs(b.Gates, lang.BlockGate, exists(c.cfg.Gates), "gates")
		c.checkEdgeGates(t, b.Gates.Range())
		if g, ok := c.ev.str(b.ThingGroup, "thing_group"); ok {
			if !thingGroupPattern.MatchString(g) {
				c.ev.errorf(b.ThingGroup.Range(), "Invalid thing group name", "%q must be 1 to 128 letters, digits, colons, underscores and hyphens.", g)
			}
			t.ThingGroup = g
		}
		if plats, ok := c.ev.strings(b.Platforms, "platforms"); ok {
			if len(plats) == 0 {
				c.ev.errorf(b.Platforms.Range(), "No platforms", "List the device platforms, such as [\"linux/amd64\", \"linux/arm64\"].")
			}
			seen := map[string]bool{}
			for _, p := range plats {
				arch, known := platformArch[p]
				if !known {
					c.ev.errorf(b.Platforms.Range(), "Unsupported platform", "%q is not a supported platform; slm-edge is built for linux/amd64 and linux/arm64 (also written linux/aarch64).", p)
					continue
				}
				if !seen[arch] {
					seen[arch] = true
					t.Platforms = append(t.Platforms, ir.Platform{OS: "linux", Architecture: arch})
				}
			}
			sort.Slice(t.Platforms, func(i, j int) bool { return t.Platforms[i].Architecture < t.Platforms[j].Architecture })
		}
		if n, ok := c.ev.str(b.ComponentName, "component_name"); ok {
			if !componentNamePattern.MatchString(n) || strings.HasPrefix(strings.ToLower(n), "aws.") {
				c.ev.errorf(b.ComponentName.Range(), "Invalid component name", "%q must be 1 to 128 letters, digits, '-', '_' and '.', and must not start with \"aws.\" (reserved).", n)
			}
			t.ComponentName = n
		}
		if v, ok := c.ev.oneOf(b.Variant, "variant", "fp32", "int8"); ok {
			t.Variant = v
		}
		t.Storage, _ = c.ev.ref(b.Storage, lang.BlockStorage, exists(c.cfg.Storage), "storage")
		if fh, ok := c.ev.oneOf(b.FailureHandling, "failure_handling", "ROLLBACK", "DO_NOTHING"); ok {
			t.FailureHandling = fh
		}
		t.Rollout = ir.Rollout{BaseRatePerMinute: 10, IncrementFactor: 2, SucceededThingsToIncrease: 10, MaxPerMinute: 100,
			AbortFailurePercent: 10, AbortMinExecutedThings: 5, AbortOn: []string{"FAILED"}, TimeoutMinutes: 60,
			ComponentUpdatePolicy: "NOTIFY_COMPONENTS", ConfigValidationTimeout: 60}
		if r := b.Rollout; r != nil {
			c.rollout(r, &t.Rollout)
		}
		if cb := b.Canary; cb != nil {
			cn := &ir.Canary{Rollout: t.Rollout}
			if g, ok := c.ev.str(cb.ThingGroup, "canary thing_group"); ok {
				if !thingGroupPattern.MatchString(g) {
					c.ev.errorf(cb.ThingGroup.Range(), "Invalid thing group name", "%q must be 1 to 128 letters, digits, colons, underscores and hyphens.", g)
				}
				if g == t.ThingGroup {
					c.ev.errorf(cb.ThingGroup.Range(), "Canary is the fleet", "The canary thing group %q is the target's own thing_group; a canary is a small separate group that gets the release first.", g)
				}
				cn.ThingGroup = g
			}
			if r := cb.Rollout; r != nil {
				c.rollout(r, &cn.Rollout)
			}
			t.Canary = cn
		}
		t.Runtime = ir.EdgeRuntime{Listen: "127.0.0.1:8181", Threads: 2, MaxBatch: 8, Workers: 1, MaxWait: "5ms", MaxQueue: 256, LogLevel: "info"}
		if r := b.Runtime; r != nil {
			rt := &t.Runtime
			if l, ok := c.ev.str(r.Listen, "listen"); ok {
				if !strings.HasPrefix(l, "127.") && !strings.HasPrefix(l, "localhost:") && !strings.HasPrefix(l, "[::1]:") {
					c.ev.add(warnf(r.Listen.Range(), "Runtime listens beyond the device", "listen = %q exposes the model to the network; slm-edge binds 127.0.0.1 by default so only local clients reach it.", l))
				}
				rt.Listen = l
			}
			rt.Threads = c.ev.intOr(r.Threads, "threads", 1, 64, rt.Threads)
			rt.MaxBatch = c.ev.intOr(r.MaxBatch, "max_batch", 1, 256, rt.MaxBatch)
			rt.Workers = c.ev.intOr(r.Workers, "workers", 1, 64, rt.Workers)
			rt.MaxQueue = c.ev.intOr(r.MaxQueue, "max_queue", 1, 100000, rt.MaxQueue)
			if w, ok := c.ev.str(r.MaxWait, "max_wait"); ok {
				if d, err := time.ParseDuration(w); err != nil || d < 0 || d > time.Second {
					c.ev.errorf(r.MaxWait.Range(), "Invalid max_wait", "max_wait is how long a request may wait for a batch to fill, a duration between 0 and 1s such as \"5ms\"; %q is not.", w)
				}
				rt.MaxWait = w
			}
			if lv, ok := c.ev.oneOf(r.LogLevel, "log_level", "debug", "info", "warn", "error"); ok {
				rt.LogLevel = lv
			}
		}
		c.p.EdgeTargets = append(c.p.EdgeTargets, t)
	}
	groups := map[string]string{}
	for _, t := range c.p.EdgeTargets {
		tgs := []string{t.ThingGroup}
		if t.Canary != nil {
			tgs = append(tgs, t.Canary.ThingGroup)
		}
		for _, g := range tgs {
			if other, dup := groups[g]; dup && g != "" && other != t.Name {
				c.ev.errorf(t.Range, "Two targets for one thing group", "edge_target %q and edge_target %q both deploy to thing group %q; a thing group has one deployment at a time.", other, t.Name, g)
			}
			groups[g] = t.Name
		}
	}
}

// rollout reads a rollout block over defaults (the target's, for a canary).
func (c *compilation) rollout(r *lang.Rollout, ro *ir.Rollout) {
	ro.BaseRatePerMinute = c.ev.intOr(r.BaseRatePerMinute, "base_rate_per_minute", 1, 1000, ro.BaseRatePerMinute)
	ro.IncrementFactor = c.ev.floatOr(r.IncrementFactor, "increment_factor", 1.1, 5, ro.IncrementFactor)
	ro.SucceededThingsToIncrease = c.ev.intOr(r.SucceededThingsToIncrease, "succeeded_things_to_increase", 1, 1000000, ro.SucceededThingsToIncrease)
	ro.MaxPerMinute = c.ev.intOr(r.MaxPerMinute, "max_per_minute", 1, 1000, ro.MaxPerMinute)
	ro.AbortFailurePercent = c.ev.floatOr(r.AbortFailurePercent, "abort_failure_percent", 0, 100, ro.AbortFailurePercent)
	ro.AbortMinExecutedThings = c.ev.intOr(r.AbortMinExecutedThings, "abort_min_executed_things", 1, 1000000, ro.AbortMinExecutedThings)
	if on, ok := c.ev.strings(r.AbortOn, "abort_on"); ok {
		kinds := []string{"FAILED", "REJECTED", "TIMED_OUT", "ALL"}
		seen := map[string]bool{}
		var out []string
		for _, k := range on {
			if !contains(kinds, k) {
				c.ev.errorf(r.AbortOn.Range(), "Invalid abort failure type", "abort_on lists IoT job failure types, %s; %q is not one.%s", strings.Join(kinds, ", "), k, closest(k, kinds))
			} else if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		if len(on) == 0 {
			c.ev.errorf(r.AbortOn.Range(), "Abort on nothing", "abort_on needs at least one failure type, such as [\"FAILED\", \"TIMED_OUT\"].")
		}
		sort.Strings(out)
		ro.AbortOn = out
	}
	ro.TimeoutMinutes = c.ev.intOr(r.TimeoutMinutes, "timeout_minutes", 1, 10080, ro.TimeoutMinutes)
	if p, ok := c.ev.oneOf(r.ComponentUpdatePolicy, "component_update_policy", "NOTIFY_COMPONENTS", "SKIP_NOTIFY_COMPONENTS"); ok {
		ro.ComponentUpdatePolicy = p
	}
	ro.ConfigValidationTimeout = c.ev.intOr(r.ConfigValidationTimeout, "config_validation_timeout_seconds", 1, 3600, ro.ConfigValidationTimeout)
	if ro.BaseRatePerMinute > ro.MaxPerMinute {
		c.ev.errorf(r.BaseRatePerMinute.Range(), "Rollout starts above its ceiling", "base_rate_per_minute (%d) exceeds max_per_minute (%d).", ro.BaseRatePerMinute, ro.MaxPerMinute)
	}
}

// checkEdgeGates: an edge target's own gates must measure the model it
// ships, the one its registration registers. (A registration without gates
// is refused on its own, so every release is guarded.)
func (c *compilation) checkEdgeGates(t ir.EdgeTarget, rng hcl.Range) {
	model := ""
	for _, r := range c.p.Registers {
		if r.Name == t.Register {
			model = r.Model
		}
	}
	for _, g := range t.Gates {
		for _, gt := range c.p.Gates {
			if gt.Name != g {
				continue
			}
			for _, e := range c.p.Evaluations {
				if e.Name == gt.Evaluation && model != "" && e.Model != model {
					c.ev.errorf(rng, "Gate measures another model", "gate %q reads evaluate %q of finetune %q, so it cannot guard edge_target %q, which ships finetune %q.", g, e.Name, e.Model, t.Name, model)
				}
			}
		}
	}
}

// chainEdgeGates enforces an edge target's own gates in the pipeline: they
// join the chain of the registration it ships, so the model package exists
// (and can be deployed) only when they pass too. The registration records
// the whole chain in its metadata (slm:gates), which apply checks.
func (c *compilation) chainEdgeGates() {
	for i := range c.p.Registers {
		r := &c.p.Registers[i]
		chain := append([]string(nil), r.Gates...)
		for _, t := range c.p.EdgeTargets {
			if t.Register == r.Name {
				for _, g := range t.Gates {
					if !contains(chain, g) {
						chain = append(chain, g)
					}
				}
			}
		}
		sort.Strings(chain)
		r.Gates = chain
	}
	for i := range c.p.EdgeTargets {
		t := &c.p.EdgeTargets[i]
		for _, r := range c.p.Registers {
			if r.Name == t.Register {
				t.Guards = append([]string(nil), r.Gates...)
			}
		}
	}
}

// unusedGates refuses a gate that guards nothing: its Condition step would
// run beside the real chain with empty IfSteps, and a failed check would
// stop nothing.
func (c *compilation) unusedGates() {
	used := map[string]bool{}
	for _, r := range c.cfg.Registers {
		for _, g := range c.ev.quietRefs(r.Body.Gates) {
			used[g] = true
		}
	}
	for _, t := range c.cfg.EdgeTargets {
		for _, g := range c.ev.quietRefs(t.Body.Gates) {
			used[g] = true
		}
	}
	for _, g := range c.p.Gates {
		if !used[g.Name] {
			c.ev.errorf(g.Range, "Gate guards nothing", "gate %q is listed by no register or edge_target, so its check would run beside the pipeline and stop nothing. Add gates = [gate.%s] to the register (or edge_target) it should guard, or remove the gate.", g.Name, g.Name)
		}
	}
}

func (c *compilation) monitoring() {
	m := c.cfg.Monitoring
	if m == nil {
		return
	}
	b := m.Body
	emails, emailsKnown := c.ev.strings(b.NotifyEmails, "notify_emails")
	if emailsKnown {
		for _, e := range emails {
			if !emailPattern.MatchString(e) {
				c.ev.errorf(b.NotifyEmails.Range(), "Invalid email address", "%q is not an email address.", e)
			}
		}
		sort.Strings(emails)
		c.p.Monitoring.NotifyEmails = emails
	}
	metrics := []string{string(ir.AlarmPipelineFailed), string(ir.AlarmEdgeErrorRate), string(ir.AlarmEdgeLatencyP95)}
	for _, m := range ir.EdgeDriftMetrics {
		metrics = append(metrics, string(m))
	}
	seen := map[string]bool{}
	for _, a := range b.Alarms {
		if seen[a.Name] {
			c.ev.errorf(m.DeclRange, "Duplicate alarm", "The alarm %q is declared twice in the monitoring block; alarm names must be unique.", a.Name)
		}
		seen[a.Name] = true
		al := ir.Alarm{Name: a.Name, PeriodSeconds: 300, EvaluationPeriods: 1}
		if mt, ok := c.ev.oneOf(a.Metric, "metric", metrics...); ok {
			al.Metric = ir.AlarmMetric(mt)
		}
		al.Threshold = c.ev.floatOr(a.Threshold, "threshold", 0, 1e9, 0)
		if !isAbsent(a.Period) {
			if s, ok := c.ev.duration(a.Period, "period"); ok {
				if s < 60 || s%60 != 0 {
					c.ev.errorf(a.Period.Range(), "Invalid alarm period", "CloudWatch alarm periods are whole minutes (60s, 120s, ...); %ds is not.", s)
				}
				al.PeriodSeconds = s
			}
		}
		al.EvaluationPeriods = c.ev.intOr(a.EvaluationPeriods, "evaluation_periods", 1, 100, 1)
		if al.Metric != ir.AlarmPipelineFailed && al.Metric != "" && len(c.cfg.EdgeTargets) == 0 {
			c.ev.errorf(a.Metric.Range(), "Edge alarm without an edge target", "alarm %q watches %s, which the edge runtime reports, but the configuration declares no edge_target: the alarm would watch nothing and is not created. Declare the edge_target it should watch, or remove the alarm.", a.Name, al.Metric)
		}
		if !isAbsent(a.EdgeTarget) {
			al.EdgeTarget, _ = c.ev.ref(a.EdgeTarget, lang.BlockEdgeTarget, exists(c.cfg.EdgeTargets), "edge_target")
			if al.Metric == ir.AlarmPipelineFailed {
				c.ev.errorf(a.EdgeTarget.Range(), "edge_target on a pipeline alarm", "edge_target applies to edge metrics only.")
			}
		}
		c.p.Monitoring.Alarms = append(c.p.Monitoring.Alarms, al)
	}
	sort.Slice(c.p.Monitoring.Alarms, func(i, j int) bool { return c.p.Monitoring.Alarms[i].Name < c.p.Monitoring.Alarms[j].Name })
}
