package defcheck

import (
	"fmt"
	"slices"
	"strings"
)

// cycleProblems reports each cycle of the step graph once per strongly connected component, at
// the component's first step by name. Edges: DependsOn (the named step runs first), data
// references (a Get or Std:JsonGet reads a step's properties, so that step runs first), and
// condition branches (a branch step runs after its condition).
func cycleProblems(d *definition, refs []reference) []Problem {
	g := buildGraph(d, refs)
	var out []Problem
	for _, comp := range g.components() {
		if len(comp) == 1 && !g.edges[comp[0]][comp[0]] {
			continue
		}
		start := comp[0] // components are sorted by name
		names := []string{}
		for _, s := range g.shortestCycle(start, comp) {
			names = append(names, s.name)
		}
		msg := "the step graph has a cycle: " + strings.Join(names, " -> ")
		if len(names)-1 < len(comp) {
			all := make([]string, len(comp))
			for i, s := range comp {
				all[i] = s.name
			}
			msg += fmt.Sprintf("; steps %s all depend on each other", strings.Join(all, ", "))
		}
		out = append(out, Problem{Path: start.ptr,
			Message: msg + " (edges come from DependsOn, Get/Std:JsonGet references and condition branches); remove one of them"})
	}
	return out
}

type graph struct {
	nodes []*step // sorted by name
	edges map[*step]map[*step]bool
}

func buildGraph(d *definition, refs []reference) *graph {
	g := &graph{edges: map[*step]map[*step]bool{}}
	add := func(from, to *step) {
		if g.edges[from] == nil {
			g.edges[from] = map[*step]bool{}
		}
		g.edges[from][to] = true
	}
	for _, s := range d.steps {
		if d.byName[s.name] != s {
			continue // duplicates are reported by nameProblems; only first declarations are nodes
		}
		g.nodes = append(g.nodes, s)
		if s.parent != nil {
			add(s.parent, s)
		}
		deps, _ := s.obj["DependsOn"].([]any)
		for _, v := range deps {
			name, _ := v.(string)
			if from, ok := d.byName[name]; ok {
				add(from, s)
			}
		}
	}
	for _, r := range refs {
		add(r.from, r.owner)
	}
	slices.SortFunc(g.nodes, byStepName)
	return g
}

func byStepName(a, b *step) int { return strings.Compare(a.name, b.name) }

// successors returns s's successors sorted by name, so results never depend on map order.
func (g *graph) successors(s *step) []*step {
	out := make([]*step, 0, len(g.edges[s]))
	for t := range g.edges[s] {
		out = append(out, t)
	}
	slices.SortFunc(out, byStepName)
	return out
}

// components returns the strongly connected components (Tarjan), each sorted by name, in order of
// their first step's name.
func (g *graph) components() [][]*step {
	idx := map[*step]int{}
	low := map[*step]int{}
	onStack := map[*step]bool{}
	var stack []*step
	var comps [][]*step
	next := 0
	var strong func(v *step)
	strong = func(v *step) {
		idx[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.successors(v) {
			if _, seen := idx[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			var comp []*step
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			slices.SortFunc(comp, byStepName)
			comps = append(comps, comp)
		}
	}
	for _, v := range g.nodes {
		if _, seen := idx[v]; !seen {
			strong(v)
		}
	}
	slices.SortFunc(comps, func(a, b []*step) int { return byStepName(a[0], b[0]) })
	return comps
}

// shortestCycle finds a shortest cycle from start back to start inside comp (breadth first,
// successors in name order), returned with start at both ends.
func (g *graph) shortestCycle(start *step, comp []*step) []*step {
	in := map[*step]bool{}
	for _, s := range comp {
		in[s] = true
	}
	prev := map[*step]*step{}
	queue := []*step{start}
	seen := map[*step]bool{}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range g.successors(v) {
			if !in[w] {
				continue
			}
			if w == start {
				path := []*step{start}
				for u := v; u != start; u = prev[u] {
					path = append(path, u)
				}
				path = append(path, start)
				slices.Reverse(path)
				return path
			}
			if !seen[w] {
				seen[w] = true
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return []*step{start, start} // unreachable for a real component
}
