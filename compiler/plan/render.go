package plan

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

var symbols = map[Action]string{Create: "+", Update: "~", Delete: "-", Replace: "-/+", Read: "<=", NoOp: " "}

// WriteText renders the plan for people: the provenance of every variable,
// the run-time parameters, each step with what a reviewer checks, the gates,
// the uploads and resources, and a one-line summary. Only the legend of
// actions present is shown.
func WriteText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Pipeline %s (environment %s, region %s", p.Pipeline, p.Environment, p.Region)
	if p.Account != "" {
		fmt.Fprintf(&b, ", account %s", p.Account)
	}
	fmt.Fprintf(&b, ")\nConfiguration sha256 %s\n", p.ConfigSHA256)

	present := map[Action]bool{}
	for _, s := range p.Steps {
		present[s.Action] = true
	}
	for _, u := range p.Uploads {
		present[u.Action] = true
	}
	for _, r := range p.Resources {
		present[r.Action] = true
	}
	if len(present) > 0 {
		b.WriteString("\nActions are shown with these symbols:\n")
		for _, a := range []Action{Create, Update, Replace, Delete, Read} {
			if present[a] {
				fmt.Fprintf(&b, "  %-3s %s\n", symbols[a], a)
			}
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
			fmt.Fprintf(&b, "  %-*s = %-*s  from %s", w1, v.Name, w2, v.Value, v.Source)
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
	fmt.Fprintf(&b, "\nSageMaker pipeline %q, %d steps in run order:\n", p.Pipeline, len(p.Steps))
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "  %s %s (%s, from %s)\n", symbols[s.Action], s.Name, s.Type, s.Block)
		if len(s.DependsOn) > 0 {
			fmt.Fprintf(&b, "      after %s\n", strings.Join(s.DependsOn, ", "))
		}
		for _, d := range s.Details {
			fmt.Fprintf(&b, "      %s\n", d)
		}
	}
	if len(p.Gates) > 0 {
		b.WriteString("\nQuality gates:\n")
		for _, g := range p.Gates {
			fmt.Fprintf(&b, "  gate.%s reads evaluate.%s; guards %s\n", g.Name, g.Evaluation, strings.Join(g.Guards, ", "))
			for _, t := range g.Thresholds {
				fmt.Fprintf(&b, "      %s\n", t)
			}
		}
	}
	if len(p.Uploads) > 0 {
		b.WriteString("\nCode uploads (content-addressed):\n")
		for _, u := range p.Uploads {
			fmt.Fprintf(&b, "  %s %s\n      %s, %s, sha256 %s\n", symbols[u.Action], u.URI, u.Role, size(u.Size), u.SHA256)
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
	counts := map[Action]int{}
	for _, s := range p.Steps {
		counts[s.Action]++
	}
	for _, u := range p.Uploads {
		counts[u.Action]++
	}
	for _, r := range p.Resources {
		counts[r.Action]++
	}
	fmt.Fprintf(&b, "\nPlan: %d to create, %d to update, %d to replace, %d to delete, %d to read (%d steps, %d uploads, %d resources).\n",
		counts[Create], counts[Update], counts[Replace], counts[Delete], counts[Read], len(p.Steps), len(p.Uploads), len(p.Resources))
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

func kindTitle(k string) string {
	switch k {
	case "terraform":
		return "Terraform resources"
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
