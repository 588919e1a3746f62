package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/compiler/ir"
)

func (a *app) graphCommand() *cobra.Command {
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "graph [DIR]",
		Short: "Print the pipeline's step graph in DOT (Graphviz)",
		Long: `graph prints the SageMaker step DAG in Graphviz DOT: render it with
"slm graph | dot -Tsvg > graph.svg". Without variable files it uses unknown
values, like validate; the graph's shape does not depend on them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			validate := len(vf.files) == 0 && len(vf.vars) == 0
			res := a.load(cmd.Context(), configDir(args), vf, validate)
			if res.Diags.HasErrors() || res.Pipeline == nil {
				if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
					return err
				}
				return exitError{code: 1}
			}
			_, err := fmt.Fprint(a.stdout, dot(res.Pipeline))
			return err
		},
	}
	vf.register(cmd)
	return cmd
}

// dot renders the step DAG. Gate branches are labelled: the passing branch
// leads on, the failing one to the Fail step.
func dot(p *ir.Pipeline) string {
	var b strings.Builder
	name := p.Project.PipelineName
	if p.Project.Environment == "default" {
		name = p.Project.Name // validate mode: the environment is unknown
	}
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n", name)
	shapes := map[ir.StepKind]string{ir.StepCondition: "diamond", ir.StepFail: "octagon"}
	for _, s := range p.Steps {
		attrs := fmt.Sprintf("label=%q", s.Name+"\n"+string(s.Kind))
		if sh, ok := shapes[s.Kind]; ok {
			attrs += ", shape=" + sh
		}
		fmt.Fprintf(&b, "  %q [%s];\n", s.Name, attrs)
	}
	kinds := map[string]ir.StepKind{}
	for _, s := range p.Steps {
		kinds[s.Name] = s.Kind
	}
	for _, s := range p.Steps {
		for _, d := range s.DependsOn {
			attrs := ""
			if kinds[d] == ir.StepCondition {
				if s.Kind == ir.StepFail {
					attrs = ` [label="fail", style=dashed]`
				} else {
					attrs = ` [label="pass"]`
				}
			}
			fmt.Fprintf(&b, "  %q -> %q%s;\n", d, s.Name, attrs)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
