package plan

import (
	"fmt"
	"html"
	"io"
	"sort"
	"strings"

	"github.com/slm-project/slm/compiler/cost"
)

// MarkdownLimit is the most characters GitHub accepts in a pull-request
// comment; the Markdown plan stays under it.
const MarkdownLimit = 65536

// MarkdownOptions shape the Markdown plan.
type MarkdownOptions struct {
	// Limit is the most characters the output may have (MarkdownLimit when
	// zero). Long sections are cut to fit, with a note.
	Limit int
	// WholePlan says where the reader finds the whole plan when a section
	// is cut, e.g. "the plan artifact of this workflow run".
	WholePlan string
	// Header is a first line put before the plan, within the limit, e.g. a
	// marker a workflow finds its earlier comment by.
	Header string
}

// ErrTooLarge is returned when the plan does not fit the limit even with
// every section cut to its first line.
type ErrTooLarge struct{ Size, Limit int }

func (e ErrTooLarge) Error() string {
	return fmt.Sprintf("the Markdown plan is %d characters with every section cut short, over the limit of %d; show it as text (slm show) instead", e.Size, e.Limit)
}

// section is one collapsible part of the Markdown plan.
type section struct {
	title string
	// summary counts what the section holds, e.g. "8 to create".
	summary string
	// open sections are expanded (IAM and security changes).
	open bool
	// lines go in a diff code block; bullets, when set, are a list instead.
	lines   []string
	bullets bool
	cut     int // lines removed to fit the limit
}

// WriteMarkdown renders the plan for a pull-request comment: a summary
// first, then IAM and security changes expanded, then one collapsible
// section per part with changes before unchanged items.
func WriteMarkdown(w io.Writer, p *Plan, opt MarkdownOptions) error {
	limit := opt.Limit
	if limit == 0 {
		limit = MarkdownLimit
	}
	whole := opt.WholePlan
	if whole == "" {
		whole = "`slm show PLAN_DIR`"
	}
	head := markdownHead(p)
	if opt.Header != "" {
		head = opt.Header + "\n" + head
	}
	secs := markdownSections(p)
	out := renderMarkdown(head, secs, whole)
	for len(out) > limit {
		// Halve the longest section that can still be cut.
		i := -1
		for j, s := range secs {
			if len(s.lines) > 1 && (i < 0 || sectionSize(s) > sectionSize(secs[i])) {
				i = j
			}
		}
		if i < 0 {
			return ErrTooLarge{Size: len(out), Limit: limit}
		}
		keep := len(secs[i].lines) / 2
		secs[i].cut += len(secs[i].lines) - keep
		secs[i].lines = secs[i].lines[:keep]
		out = renderMarkdown(head, secs, whole)
	}
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("writing the Markdown plan: %w", err)
	}
	return nil
}

func sectionSize(s section) int {
	n := 0
	for _, l := range s.lines {
		n += len(l) + 1
	}
	return n
}

func markdownHead(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### slm plan: `%s`\n\n", p.Pipeline)
	facts := []string{"environment `" + p.Environment + "`", "region `" + p.Region + "`"}
	if p.Account != "" {
		facts = append(facts, "account `"+p.Account+"`")
	}
	if len(p.ConfigSHA256) >= 12 {
		facts = append(facts, "configuration `"+p.ConfigSHA256[:12]+"`")
	}
	b.WriteString(strings.Join(facts, " · ") + "\n\n")
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
	fmt.Fprintf(&b, "**Plan: %d to create, %d to update, %d to replace, %d to delete.**", counts[Create], counts[Update], counts[Replace], counts[Delete])
	if counts[NoOp] > 0 {
		fmt.Fprintf(&b, " %d unchanged.", counts[NoOp])
	}
	b.WriteString("\n")
	if c := p.Cost; c != nil {
		b.WriteString("\n" + costSummary(c) + "\n")
	}
	return b.String()
}

// costSummary is the one line of cost the summary carries.
func costSummary(c *cost.Estimate) string {
	if c.Run.Priced == 0 && c.Monthly.Priced == 0 {
		why := "no prices"
		if len(c.Missing) > 0 {
			why = c.Missing[0]
		}
		return "**Cost:** not estimated: " + escapeInline(why) + "."
	}
	run := "no price"
	if c.Run.Priced > 0 {
		run = cost.Amount(c.Currency, c.Run.Total)
		if !c.Run.Complete {
			run += " (some steps have no price)"
		}
	}
	month := "no price"
	if c.Monthly.Priced > 0 {
		month = cost.Money(c.Currency, c.Monthly.Total)
		if !c.Monthly.Complete {
			month += " (some items have no price)"
		}
	}
	return fmt.Sprintf("**Cost:** %s per pipeline run (upper bound), %s per month fixed.", run, month)
}

// securityTypes are the Terraform types whose changes a reviewer must see
// first: who may do what, encryption and exposure.
var securityTypes = map[string]bool{
	"aws_iam_role": true, "aws_iam_role_policy": true, "aws_iam_policy": true, "aws_iam_role_policy_attachment": true,
	"aws_iam_policy_document": true, "aws_iam_openid_connect_provider": true,
	"aws_kms_key": true, "aws_kms_alias": true, "aws_s3_bucket_policy": true, "aws_s3_bucket_public_access_block": true,
	"aws_s3_bucket_server_side_encryption_configuration": true, "aws_s3_bucket_ownership_controls": true,
	"aws_sns_topic_policy": true, "aws_iot_policy": true, "aws_iot_role_alias": true,
}

func markdownSections(p *Plan) []section {
	var secs []section
	// IAM and security first, expanded.
	var sec []Resource
	for _, r := range p.Resources {
		if r.Kind == "terraform" && securityTypes[r.Type] && r.Action != NoOp {
			sec = append(sec, r)
		}
	}
	if len(sec) > 0 {
		secs = append(secs, section{title: "IAM and security", summary: resourceCounts(sec), open: true, lines: resourceLines(sec)})
	}

	steps := append([]Step(nil), p.Steps...)
	sort.SliceStable(steps, func(i, j int) bool { return rank(steps[i].Action) < rank(steps[j].Action) })
	var lines []string
	actions := map[Action]int{}
	hidden := 0
	for _, s := range steps {
		actions[s.Action]++
		if s.Action == NoOp {
			hidden++
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %s (%s, from %s)", symbols[s.Action], s.Name, s.Type, s.Block))
		if len(s.DependsOn) > 0 {
			lines = append(lines, "    after "+strings.Join(s.DependsOn, ", "))
		}
		for _, d := range s.Details {
			lines = append(lines, "    "+d)
		}
	}
	if hidden > 0 {
		lines = append(lines, fmt.Sprintf("  # %d unchanged steps hidden", hidden))
	}
	if len(steps) > 0 {
		secs = append(secs, section{title: "SageMaker pipeline steps", summary: countText(actions, len(steps), "step"), lines: lines})
	}

	if len(p.Gates) > 0 {
		var gl []string
		for _, g := range p.Gates {
			gl = append(gl, fmt.Sprintf("  gate.%s reads evaluate.%s; guards %s", g.Name, g.Evaluation, strings.Join(g.Guards, ", ")))
			for _, t := range g.Thresholds {
				gl = append(gl, "    "+t)
			}
		}
		secs = append(secs, section{title: "Quality gates", summary: count(len(p.Gates), "gate"), lines: gl})
	}

	if len(p.Uploads) > 0 {
		ups := append([]Upload(nil), p.Uploads...)
		sort.SliceStable(ups, func(i, j int) bool { return rank(ups[i].Action) < rank(ups[j].Action) })
		var ul []string
		ua := map[Action]int{}
		hidden := 0
		for _, u := range ups {
			ua[u.Action]++
			if u.Action == NoOp {
				hidden++
				continue
			}
			ul = append(ul, fmt.Sprintf("%s %s", symbols[u.Action], u.URI), fmt.Sprintf("    %s, %s, sha256 %s", u.Role, size(u.Size), u.SHA256))
		}
		if hidden > 0 {
			ul = append(ul, fmt.Sprintf("  # %d uploads already in S3 hidden", hidden))
		}
		secs = append(secs, section{title: "Code uploads", summary: countText(ua, len(ups), "upload"), lines: ul})
	}

	kinds := map[string][]Resource{}
	for _, r := range p.Resources {
		kinds[r.Kind] = append(kinds[r.Kind], r)
	}
	if n := len(sec); n > 0 {
		// Shown once, at the top.
		var rest []Resource
		for _, r := range kinds["terraform"] {
			if !(securityTypes[r.Type] && r.Action != NoOp) {
				rest = append(rest, r)
			}
		}
		kinds["terraform"] = rest
	}
	for _, k := range []string{"terraform", "greengrass-component", "greengrass-deployment"} {
		rs := kinds[k]
		delete(kinds, k)
		if len(rs) > 0 {
			secs = append(secs, section{title: kindTitle(k), summary: resourceCounts(rs), lines: resourceLines(rs)})
		}
	}
	for _, k := range sortedKinds(kinds) {
		secs = append(secs, section{title: kindTitle(k), summary: resourceCounts(kinds[k]), lines: resourceLines(kinds[k])})
	}

	if c := p.Cost; c != nil {
		secs = append(secs, section{title: "Cost", summary: c.Currency + ", list prices, region " + c.Region, lines: indent(c.Lines())})
	}
	var in []string
	for _, v := range p.Variables {
		l := fmt.Sprintf("  var.%s = %s  from %s", v.Name, v.Value, v.Source)
		if len(v.Overrode) > 0 {
			l += " (overrides " + strings.Join(v.Overrode, ", ") + ")"
		}
		in = append(in, l)
	}
	for _, pr := range p.Parameters {
		l := fmt.Sprintf("  parameter %s (%s)", pr.Name, pr.Type)
		if pr.Default != "" {
			l += " default " + pr.Default
		}
		if len(pr.Enum) > 0 {
			l += ", one of " + strings.Join(pr.Enum, ", ")
		}
		in = append(in, l)
	}
	if len(in) > 0 {
		secs = append(secs, section{title: "Inputs", summary: count(len(p.Variables), "variable") + ", " + count(len(p.Parameters), "run-time parameter"), lines: in})
	}
	if len(p.Notes) > 0 {
		secs = append(secs, section{title: "Notes", summary: fmt.Sprintf("%d", len(p.Notes)), open: true, lines: p.Notes, bullets: true})
	}
	return secs
}

func indent(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = "  " + l
	}
	return out
}

func sortedKinds(m map[string][]Resource) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// rank orders items: changes first, then reads, then unchanged.
func rank(a Action) int {
	switch a {
	case Delete, Replace:
		return 0
	case Create, Update:
		return 1
	case Read:
		return 2
	}
	return 3
}

func resourceLines(rs []Resource) []string {
	rs = append([]Resource(nil), rs...)
	sort.SliceStable(rs, func(i, j int) bool { return rank(rs[i].Action) < rank(rs[j].Action) })
	var out []string
	hidden := 0
	for _, r := range rs {
		if r.Action == NoOp {
			hidden++
			continue
		}
		out = append(out, fmt.Sprintf("%-2s %s", symbols[r.Action], r.Address))
		for _, d := range r.Details {
			out = append(out, "      "+d)
		}
	}
	if hidden > 0 {
		out = append(out, fmt.Sprintf("  # %d unchanged hidden", hidden))
	}
	return out
}

func resourceCounts(rs []Resource) string {
	a := map[Action]int{}
	for _, r := range rs {
		a[r.Action]++
	}
	return countText(a, len(rs), "")
}

// countText says what a section changes: "2 to create, 1 to read".
func countText(a map[Action]int, total int, noun string) string {
	var parts []string
	for _, x := range []struct {
		a    Action
		verb string
	}{{Create, "to create"}, {Update, "to update"}, {Replace, "to replace"}, {Delete, "to delete"}, {Read, "to read"}, {NoOp, "unchanged"}} {
		if a[x.a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", a[x.a], x.verb))
		}
	}
	if len(parts) == 0 {
		if noun != "" {
			return count(total, noun)
		}
		return fmt.Sprint(total)
	}
	return strings.Join(parts, ", ")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func renderMarkdown(head string, secs []section, whole string) string {
	var b strings.Builder
	b.WriteString(head)
	for _, s := range secs {
		b.WriteString("\n<details")
		if s.open {
			b.WriteString(" open")
		}
		fmt.Fprintf(&b, "><summary><b>%s</b> (%s)</summary>\n\n", html.EscapeString(s.title), html.EscapeString(s.summary))
		if s.bullets {
			for _, l := range s.lines {
				b.WriteString("- " + escapeInline(l) + "\n")
			}
		} else {
			fence := fenceFor(s.lines)
			b.WriteString(fence + "diff\n")
			for _, l := range s.lines {
				b.WriteString(l + "\n")
			}
			b.WriteString(fence + "\n")
		}
		if s.cut > 0 {
			fmt.Fprintf(&b, "\n_%d more lines cut to keep this comment under GitHub's size limit; the whole plan: %s._\n", s.cut, whole)
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// fenceFor is a code fence longer than any run of backticks in the lines,
// so no content can close it.
func fenceFor(lines []string) string {
	longest := 0
	for _, l := range lines {
		run := 0
		for _, r := range l {
			if r == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// escapeInline keeps a note's text literal in Markdown and HTML.
func escapeInline(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "#", `\#`, "|", `\|`)
	return r.Replace(s)
}
