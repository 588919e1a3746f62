package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/slm-project/slm/backends/artifact"
)

func markdownPlan(steps int) *Plan {
	p := &Plan{
		FormatVersion: FormatVersion, Pipeline: "intent-dev", Environment: "dev", Region: "eu-west-1", Account: "111111111111",
		ConfigSHA256: "0123456789abcdef",
		Variables:    []Variable{{Name: "epochs", Value: "3", Source: "var file envs/dev.slmvars.hcl:6"}},
		Gates:        []Gate{{Name: "quality", Evaluation: "intent", Thresholds: []string{"accuracy >= 0.9"}, Guards: []string{"register.intent"}}},
		Uploads: []Upload{
			{Action: NoOp, Upload: artifact.Upload{Role: "runner", Name: "slm", SHA256: "aa", Size: 10, URI: "s3://b/code/aa/slm"}},
			{Action: Create, Upload: artifact.Upload{Role: "prepare configuration", Name: "prepare.json", SHA256: "ff", Size: 2048, URI: "s3://b/code/ff/prepare.json"}},
		},
		Resources: []Resource{
			{Action: Create, Kind: "terraform", Type: "aws_s3_bucket", Name: "edge", Address: "aws_s3_bucket.edge"},
			{Action: Create, Kind: "terraform", Type: "aws_iam_role", Name: "ci", Address: "aws_iam_role.ci", Details: []string{"trusted by: token.actions.githubusercontent.com"}},
			{Action: NoOp, Kind: "terraform", Type: "aws_kms_key", Name: "this", Address: "aws_kms_key.this"},
			{Action: Create, Kind: "greengrass-component", Type: "com.example.Model", Name: "1.2.3", Address: "com.example.Model 1.2.3"},
		},
		// Markdown and HTML in a note stay text.
		Notes: []string{"Pass --model <dir> for `edge` [releases]."},
	}
	for i := range steps {
		a := Create
		if i%3 == 0 {
			a = NoOp
		}
		p.Steps = append(p.Steps, Step{Action: a, Name: fmt.Sprintf("Step-%03d", i), Type: "Processing", Block: fmt.Sprintf("prepare.s%d", i),
			// A detail with a fence in it must not close the code block.
			Details: []string{"ml.m5.large x1", "writes ```s3://b/x/```"}})
	}
	return p
}

// outline parses the Markdown with goldmark and describes its top-level
// structure: headings, paragraphs, HTML blocks (first line), code blocks
// with their language and line count, lists with their item count.
func outline(t *testing.T, md string) []string {
	t.Helper()
	src := []byte(md)
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	var out []string
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch v := n.(type) {
		case *ast.Heading:
			out = append(out, fmt.Sprintf("h%d", v.Level))
		case *ast.Paragraph:
			out = append(out, "p")
		case *ast.HTMLBlock:
			seg := v.Lines().At(0)
			first := string(seg.Value(src))
			out = append(out, "html "+strings.TrimSpace(first))
		case *ast.FencedCodeBlock:
			out = append(out, fmt.Sprintf("code %s %d", v.Language(src), v.Lines().Len()))
		case *ast.List:
			out = append(out, fmt.Sprintf("list %d", v.ChildCount()))
		default:
			out = append(out, n.Kind().String())
		}
	}
	return out
}

func TestMarkdownStructure(t *testing.T) {
	var b strings.Builder
	if err := WriteMarkdown(&b, markdownPlan(6), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	want := []string{
		"h3", "p", "p",
		"html <details open><summary><b>IAM and security</b> (1 to create)</summary>", "code diff 2", "html </details>",
		// 4 changed steps with 2 details each, then the unchanged folded.
		"html <details><summary><b>SageMaker pipeline steps</b> (4 to create, 2 unchanged)</summary>", "code diff 13", "html </details>",
		"html <details><summary><b>Quality gates</b> (1 gate)</summary>", "code diff 2", "html </details>",
		"html <details><summary><b>Code uploads</b> (1 to create, 1 unchanged)</summary>", "code diff 3", "html </details>",
		"html <details><summary><b>Terraform resources (the estate: applied by terraform in your workflow, not by slm apply)</b> (1 to create, 1 unchanged)</summary>", "code diff 2", "html </details>",
		"html <details><summary><b>Greengrass components</b> (1 to create)</summary>", "code diff 1", "html </details>",
		"html <details><summary><b>Inputs</b> (1 variable, 0 run-time parameters)</summary>", "code diff 1", "html </details>",
		"html <details open><summary><b>Notes</b> (1)</summary>", "list 1", "html </details>",
	}
	if d := cmp.Diff(want, outline(t, md)); d != "" {
		t.Errorf("structure (-want +got):\n%s\n%s", d, md)
	}
	for _, w := range []string{
		"**Plan: 8 to create, 0 to update, 0 to replace, 0 to delete.** 4 unchanged.",
		"+ Step-001 (Processing, from prepare.s1)\n    ml.m5.large x1\n",
		"  # 2 unchanged steps hidden",
		"  # 1 uploads already in S3 hidden",
		"+  aws_iam_role.ci\n      trusted by: token.actions.githubusercontent.com",
		"- Pass --model &lt;dir&gt; for \\`edge\\` \\[releases\\].",
		"````diff",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q:\n%s", w, md)
		}
	}
	// Changes come before unchanged items and the security resources are not repeated.
	if i, j := strings.Index(md, "Step-001"), strings.Index(md, "Step-004"); i > j {
		t.Error("steps out of order")
	}
	if strings.Count(md, "aws_iam_role.ci") != 1 {
		t.Error("the IAM role is listed twice")
	}
}

func TestMarkdownTruncation(t *testing.T) {
	p := markdownPlan(3000)
	var full strings.Builder
	if err := WriteMarkdown(&full, p, MarkdownOptions{Limit: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if full.Len() <= MarkdownLimit {
		t.Fatalf("the test plan is %d characters; it must be over the limit", full.Len())
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, p, MarkdownOptions{WholePlan: "the plan artifact", Header: "<!-- slm-plan:dev -->"}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if len(md) > MarkdownLimit {
		t.Errorf("%d characters, over %d", len(md), MarkdownLimit)
	}
	if !strings.HasPrefix(md, "<!-- slm-plan:dev -->\n### slm plan") {
		t.Errorf("the header is not first: %.80s", md)
	}
	if !strings.Contains(md, "more lines cut to keep this comment under GitHub's size limit; the whole plan: the plan artifact.") {
		t.Errorf("no truncation note")
	}
	// Still the same sections, each closed.
	o := outline(t, md)
	opens, closes := 0, 0
	for _, l := range o {
		if strings.HasPrefix(l, "html <details") {
			opens++
		}
		if l == "html </details>" {
			closes++
		}
	}
	if opens != 8 || closes != 8 {
		t.Errorf("%d sections opened, %d closed, want 8:\n%s", opens, closes, strings.Join(o, "\n"))
	}

	var tiny strings.Builder
	err := WriteMarkdown(&tiny, p, MarkdownOptions{Limit: 300})
	var tooLarge ErrTooLarge
	if !errors.As(err, &tooLarge) || tiny.Len() != 0 || !strings.Contains(err.Error(), "over the limit of 300") {
		t.Errorf("a plan that cannot fit: err %v, wrote %d bytes", err, tiny.Len())
	}
}
