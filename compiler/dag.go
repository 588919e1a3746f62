package compiler

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// steps builds the SageMaker step DAG from the resolved references. Edges are
// data dependencies (a fine-tune reads its prepare step's splits) and gate
// guards (a registration runs only on the passing branch of its gates,
// chained in name order). It then orders the steps topologically, names
// first among equals, and refuses a cycle.
func (c *compilation) steps() {
	type node struct {
		step ir.Step
		rng  hcl.Range
		deps map[string]bool
	}
	nodes := map[string]*node{}
	add := func(name string, kind ir.StepKind, block string, rng hcl.Range) *node {
		if prev, dup := nodes[name]; dup {
			c.ev.errorf(rng, "Duplicate step name", "This block's SageMaker step name %q is also the name of %s's step. Rename one of the blocks.", name, prev.step.Block)
		}
		n := &node{step: ir.Step{Name: name, Kind: kind, Block: block}, rng: rng, deps: map[string]bool{}}
		nodes[name] = n
		return n
	}
	prep := map[string]string{}
	for _, p := range c.p.Prepares {
		add(p.StepName, ir.StepProcessing, lang.BlockPrepare+"."+p.Name, p.Range)
		prep[p.Name] = p.StepName
	}
	ft := map[string]string{}
	for _, f := range c.p.FineTunes {
		n := add(f.StepName, ir.StepTraining, lang.BlockFineTune+"."+f.Name, f.Range)
		n.deps[prep[f.Data]] = true
		ft[f.Name] = f.StepName
	}
	ev := map[string]string{}
	for _, e := range c.p.Evaluations {
		n := add(e.StepName, ir.StepProcessing, lang.BlockEvaluate+"."+e.Name, e.Range)
		n.deps[ft[e.Model]] = true
		n.deps[prep[e.Data]] = true
		ev[e.Name] = e.StepName
	}
	c.checkGateChains()
	gate := map[string]string{}
	for _, g := range c.p.Gates {
		n := add(g.StepName, ir.StepCondition, lang.BlockGate+"."+g.Name, g.Range)
		n.deps[ev[g.Evaluation]] = true
		if b := g.Baseline; b != nil {
			add(b.StepName, ir.StepProcessing, lang.BlockGate+"."+g.Name, g.Range)
			n.deps[b.StepName] = true
		}
		gate[g.Name] = g.StepName
		add(g.FailStepName, ir.StepFail, lang.BlockGate+"."+g.Name, g.Range).deps[g.StepName] = true
	}
	for _, r := range c.p.Registers {
		n := add(r.StepName, ir.StepRegisterModel, lang.BlockRegister+"."+r.Name, r.Range)
		n.deps[ft[r.Model]] = true
		n.deps[ev[r.Evaluation]] = true
		// The registration sits on the passing branch of the last gate of
		// its chain; each earlier gate leads to the next.
		for i, g := range r.Gates {
			if i == len(r.Gates)-1 {
				n.deps[gate[g]] = true
			} else if next := nodes[gate[r.Gates[i+1]]]; next != nil {
				next.deps[gate[g]] = true
			}
		}
	}
	for _, n := range nodes {
		delete(n.deps, "")
	}
	// Kahn's algorithm with a sorted ready set gives one stable order.
	indeg := map[string]int{}
	users := map[string][]string{}
	for name, n := range nodes {
		indeg[name] += 0
		for d := range n.deps {
			indeg[name]++
			users[d] = append(users[d], name)
		}
	}
	var ready []string
	for name, d := range indeg {
		if d == 0 {
			ready = append(ready, name)
		}
	}
	sort.Strings(ready)
	for len(ready) > 0 {
		name := ready[0]
		ready = ready[1:]
		n := nodes[name]
		for d := range n.deps {
			n.step.DependsOn = append(n.step.DependsOn, d)
		}
		sort.Strings(n.step.DependsOn)
		c.p.Steps = append(c.p.Steps, n.step)
		for _, u := range users[name] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
		sort.Strings(ready)
	}
	if len(c.p.Steps) < len(nodes) {
		var stuck []string
		for name, d := range indeg {
			if d > 0 {
				stuck = append(stuck, name)
			}
		}
		sort.Strings(stuck)
		c.ev.errorf(nodes[stuck[0]].rng, "Cycle in the step graph", "These steps wait on each other: %s. Check the gates lists and the model and data references.", strings.Join(stuck, ", "))
	}
	if len(c.p.Steps) == 0 {
		c.ev.add(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Empty pipeline", Detail: "The configuration declares no steps (prepare, finetune, evaluate, gate, register), so the SageMaker pipeline has nothing to run."})
	}
}

// checkGateChains refuses gate chains SageMaker cannot express: a step sits
// in the passing branch of exactly one Condition step, so a gate must have
// the same predecessor in every registration's chain.
func (c *compilation) checkGateChains() {
	parent := map[string]string{}
	for _, r := range c.p.Registers {
		for i, g := range r.Gates {
			prev := ""
			if i > 0 {
				prev = r.Gates[i-1]
			}
			if p, seen := parent[g]; seen && p != prev {
				c.ev.errorf(r.Range, "Gate shared by incompatible chains", "register %q chains its gates as %s, so gate %q would follow %s here but %s in another registration; a SageMaker step sits in one Condition branch only. Give this registration the same leading gates as the other, or its own gates.",
					r.Name, strings.Join(r.Gates, " -> "), g, orStart(prev), orStart(p))
			}
			parent[g] = prev
		}
	}
}

func orStart(g string) string {
	if g == "" {
		return "nothing (first)"
	}
	return "gate " + g
}
