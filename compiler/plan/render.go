package plan

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

var symbols = map[Action]string{Create: "+", Update: "~", Delete: "-", Replace: "-/+", Read: "<=", NoOp: " "}

// WriteText renders the plan for people, as `terraform plan` does: what it
// was computed against, the legend of the actions present, the provenance
// of every variable, the run-time parameters, the pipeline (every step when
// it is created; otherwise only what changed, field by field, unchanged
// steps folded), the gates, the uploads (those already in S3 folded), the
// Greengrass release and the Terraform the team applies, and a summary.
func WriteText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Pipeline %s (environment %s, region %s", p.Pipeline, p.Environment, p.Region)
	if p.Account != "" {
		fmt.Fprintf(&b, ", account %s", p.Account)
	}
	fmt.Fprintf(&b, ")\nConfiguration sha256 %s\n", p.ConfigSHA256)
	switch {
	case p.State.Offline:
		b.WriteString("Offline: AWS was not read (--offline), so every item shows as a create against nothing.\n")
	case p.State.Account != "":
		fmt.Fprintf(&b, "Compared with what is deployed in account %s, region %s (read as %s).\n", p.State.Account, p.State.Region, p.State.CallerARN)
	}

	present := map[Action]bool{p.Target.Action: true}
	for _, s := range p.Steps {
		present[s.Action] = true
	}
	for _, u := range p.Uploads {
		present[u.Action] = true
	}
	for _, r := range p.Resources {
		present[r.Action] = true
	}
	for _, c := range p.Target.Changes {
		present[c.Action] = true
	}
	var legend []Action
	for _, a := range []Action{Create, Update, Replace, Delete, Read} {
		if present[a] {
			legend = append(legend, a)
		}
	}
	if len(legend) > 0 {
		b.WriteString("\nActions are shown with these symbols:\n")
		for _, a := range legend {
			fmt.Fprintf(&b, "  %-3s %s\n", symbols[a], a)
		}
	}

	if len(p.Variables) > 0 {
		b.WriteString("\nVariables (compile time):\n")
		w1, w2 := 0, 0
		for _, v := range p.Variables {
			w1 = max(w1, len(v.Name))
			w2 = max(w2, len(v.Value))
		}
		w2 = min(w2, 40)
		for _, v := range p.Variables {
			if len(v.Value) > w2 {
				// A long value gets its own line, so the sources of the
				// others stay in one column.
				fmt.Fprintf(&b, "  %-*s = %s\n  %-*s   %-*s  from %s", w1, v.Name, v.Value, w1, "", w2, "", v.Source)
			} else {
				fmt.Fprintf(&b, "  %-*s = %-*s  from %s", w1, v.Name, w2, v.Value, v.Source)
			}
			if len(v.Overrode) > 0 {
				fmt.Fprintf(&b, " (overrides %s)", strings.Join(v.Overrode, ", "))
			}
			b.WriteString("\n")
		}
	}
	if len(p.Parameters) > 0 {
		b.WriteString("\nPipeline parameters (resolved by SageMaker at run time):\n")
		for _, pr := range p.Parameters {
			fmt.Fprintf(&b, "  %s (%s)", pr.Name, pr.Type)
			if pr.Default != "" {
				fmt.Fprintf(&b, " default %s", pr.Default)
			}
			if len(pr.Enum) > 0 {
				fmt.Fprintf(&b, ", one of %s", strings.Join(pr.Enum, ", "))
			}
			b.WriteString("\n")
		}
	}
	writePipeline(&b, p)
	if len(p.Gates) > 0 {
		b.WriteString("\nQuality gates:\n")
		for _, g := range p.Gates {
			guards := strings.Join(g.Guards, ", ")
			if guards == "" {
				guards = "nothing"
			}
			fmt.Fprintf(&b, "  gate.%s reads evaluate.%s; guards %s\n", g.Name, g.Evaluation, guards)
			for _, t := range g.Thresholds {
				fmt.Fprintf(&b, "      %s\n", t)
			}
		}
	}
	if len(p.ReadAccess) > 0 {
		b.WriteString("\nRead access granted outside the pipeline's storage (project read_access):\n")
		for _, l := range p.ReadAccess {
			fmt.Fprintf(&b, "  %s (read only)\n", l)
		}
	}
	if len(p.Uploads) > 0 {
		b.WriteString("\nUploads (content-addressed):\n")
		same := 0
		for _, u := range p.Uploads {
			if u.Action == NoOp {
				same++
				continue
			}
			fmt.Fprintf(&b, "  %s %s\n      %s, %s, sha256 %s\n", symbols[u.Action], u.URI, u.Role, size(u.Size), u.SHA256)
		}
		if same > 0 {
			fmt.Fprintf(&b, "  # %d %s already in S3 hidden\n", same, plural(same, "upload", "uploads"))
		}
	}
	if len(p.Resources) > 0 {
		kinds := map[string][]Resource{}
		for _, r := range p.Resources {
			kinds[r.Kind] = append(kinds[r.Kind], r)
		}
		names := make([]string, 0, len(kinds))
		for k := range kinds {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&b, "\n%s:\n", kindTitle(k))
			for _, r := range kinds[k] {
				fmt.Fprintf(&b, "  %s %s\n", symbols[r.Action], r.Address)
				for _, d := range r.Details {
					fmt.Fprintf(&b, "      %s\n", d)
				}
			}
		}
	}
	if len(p.Artifacts) > 0 {
		b.WriteString("\nArtifacts written:\n")
		for _, a := range p.Artifacts {
			fmt.Fprintf(&b, "  %s (%s, sha256 %s)\n", a.Path, size(a.Size), a.SHA256[:12])
		}
	}
	writeCost(&b, p.Cost)
	if len(p.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	b.WriteString("\n" + Summary(p) + "\n")
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

// Summary is the plan's last line.
func Summary(p *Plan) string {
	c := Count(p)
	if c.Add+c.Change+c.Destroy == 0 {
		return "No changes. What is deployed matches the configuration."
	}
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", c.Add, c.Change, c.Destroy)
}

// writePipeline shows the pipeline: every step with its details when it is
// created; the field changes, grouped by step, when it is updated.
func writePipeline(b *strings.Builder, p *Plan) {
	t := p.Target
	name := t.Name
	if name == "" {
		name = p.Pipeline
	}
	switch t.Action {
	case NoOp:
		fmt.Fprintf(b, "\nSageMaker pipeline %q: no changes (%d steps).\n", name, len(p.Steps))
		return
	case Update:
		fmt.Fprintf(b, "\nSageMaker pipeline %q will be updated in place:\n  ~ pipeline %q\n", name, name)
		types := map[string]string{}
		for _, s := range p.Steps {
			types[s.Name] = s.Type
		}
		var stepOrder []string
		byStep := map[string][]Change{}
		for _, c := range t.Changes {
			if _, seen := byStep[c.Step]; !seen {
				stepOrder = append(stepOrder, c.Step)
			}
			byStep[c.Step] = append(byStep[c.Step], c)
		}
		changed := 0
		for _, st := range stepOrder {
			cs := byStep[st]
			indent := "      "
			if st != "" {
				changed++
				if len(cs) == 1 && cs[0].Path == "" {
					fmt.Fprintf(b, "      %s step %q", symbols[cs[0].Action], st)
					if ty := types[st]; ty != "" {
						fmt.Fprintf(b, " (%s)", ty)
					}
					b.WriteString("\n")
					continue
				}
				fmt.Fprintf(b, "      ~ step %q", st)
				if ty := types[st]; ty != "" {
					fmt.Fprintf(b, " (%s)", ty)
				}
				b.WriteString("\n")
				indent = "          "
			}
			for _, c := range cs {
				switch c.Action {
				case Create:
					fmt.Fprintf(b, "%s+ %s = %s\n", indent, c.Path, *c.New)
				case Delete:
					fmt.Fprintf(b, "%s- %s = %s\n", indent, c.Path, *c.Old)
				default:
					fmt.Fprintf(b, "%s~ %s: %s -> %s\n", indent, c.Path, *c.Old, *c.New)
				}
			}
		}
		if hidden := len(p.Steps) - changed; hidden > 0 {
			fmt.Fprintf(b, "      # %d unchanged %s hidden\n", hidden, plural(hidden, "step", "steps"))
		}
		return
	}
	fmt.Fprintf(b, "\nSageMaker pipeline %q, %d steps in run order:\n", name, len(p.Steps))
	for _, s := range p.Steps {
		fmt.Fprintf(b, "  %s %s (%s, from %s)\n", symbols[s.Action], s.Name, s.Type, s.Block)
		if len(s.DependsOn) > 0 {
			fmt.Fprintf(b, "      after %s\n", strings.Join(s.DependsOn, ", "))
		}
		for _, d := range s.Details {
			fmt.Fprintf(b, "      %s\n", d)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func kindTitle(k string) string {
	switch k {
	case "terraform":
		return "Terraform resources (the estate: applied by terraform in your workflow, not by slm apply)"
	case "greengrass-component":
		return "Greengrass components"
	case "greengrass-deployment":
		return "Greengrass deployments"
	}
	return k
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
