package terraform

import (
	"strings"

	"github.com/slm-project/slm/compiler/ir"
)

// Statement is one policy statement as the generator built it, for the external tests: actions as
// written, resources as Terraform template strings without their quotes.
type Statement struct {
	Sid       string
	Actions   []string
	Resources []string
}

// PolicyStatements returns the statements of the named aws_iam_policy_document ("ci" is the CI role's).
func PolicyStatements(p *ir.Pipeline, in Inputs, name string) ([]Statement, error) {
	g, err := build(p, in)
	if err != nil {
		return nil, err
	}
	var out []Statement
	for _, s := range g.policies[name] {
		st := Statement{Sid: s.sid, Actions: s.actions}
		for _, r := range s.resources {
			st.Resources = append(st.Resources, strings.Trim(string(r), `"`))
		}
		out = append(out, st)
	}
	return out, nil
}
