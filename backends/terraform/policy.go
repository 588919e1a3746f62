package terraform

import (
	"fmt"
	"strings"
)

// statement is one IAM policy statement, written as a statement block of an aws_iam_policy_document.
type statement struct {
	sid        string
	effect     string // "" for Allow
	actions    []string
	resources  []expr
	principals map[string][]expr // type -> identifiers
	// principalList is a principal type whose identifiers are one list-valued expression.
	principalList map[string]expr
	conditions    []condition
}

type condition struct {
	test, variable string
	values         []expr
}

// policy writes an aws_iam_policy_document data source holding the statements.
func (g *gen) policy(file, name string, sts ...statement) expr {
	d := g.data(file, "aws_iam_policy_document", name, statementAttrs(sts)...)
	for _, s := range sts {
		b := d.child("statement")
		b.set("sid", s.sid)
		b.set("effect", s.effect)
		b.set("actions", s.actions)
		b.set("resources", s.resources)
		for _, typ := range sortedKeys(s.principals) {
			p := b.child("principals")
			p.set("type", typ)
			p.set("identifiers", s.principals[typ])
		}
		for _, typ := range sortedKeys(s.principalList) {
			p := b.child("principals")
			p.set("type", typ)
			p.set("identifiers", s.principalList[typ])
		}
		for _, c := range s.conditions {
			cb := b.child("condition")
			cb.set("test", c.test)
			cb.set("variable", c.variable)
			cb.set("values", c.values)
		}
	}
	return ref("data", "aws_iam_policy_document", name, "json")
}

// statementAttrs shows each statement in the plan (effect, actions, resources, principals, conditions),
// so a reviewer reads the policy without opening the .tf file.
func statementAttrs(sts []statement) []string {
	var out []string
	for i, s := range sts {
		name := s.sid
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		effect := s.effect
		if effect == "" {
			effect = "Allow"
		}
		out = append(out, "statement "+name, effect+" "+strings.Join(s.actions, ", "))
		if len(s.resources) > 0 {
			out = append(out, "  on", showExprs(s.resources))
		}
		for _, typ := range sortedKeys(s.principals) {
			out = append(out, "  principal "+typ, showExprs(s.principals[typ]))
		}
		for _, typ := range sortedKeys(s.principalList) {
			out = append(out, "  principal "+typ, showExpr(s.principalList[typ]))
		}
		for _, c := range s.conditions {
			out = append(out, "  when", c.test+" "+c.variable+" = "+showExprs(c.values))
		}
	}
	return out
}

// showExpr writes an expression as a reviewer reads it: a template string without its quotes.
func showExpr(e expr) string {
	s := string(e)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.Contains(s[1:len(s)-1], `"`) {
		return s[1 : len(s)-1]
	}
	return s
}

func showExprs(es []expr) string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = showExpr(e)
	}
	return strings.Join(out, ", ")
}

// arn builds an ARN expression in the estate's partition: arn(service, region?, account?, resource...).
func arn(service string, regional, inAccount bool, resource ...any) expr {
	parts := []any{"arn:", ref("local", "partition"), ":" + service + ":"}
	if regional {
		parts = append(parts, ref("local", "region"))
	}
	parts = append(parts, ":")
	if inAccount {
		parts = append(parts, ref("local", "account_id"))
	}
	parts = append(parts, ":")
	parts = append(parts, resource...)
	return tmpl(parts...)
}

func lits(ss ...string) []expr {
	out := make([]expr, len(ss))
	for i, s := range ss {
		out[i] = tmpl(s)
	}
	return out
}
