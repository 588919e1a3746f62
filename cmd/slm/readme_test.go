package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECommands runs the slm commands of README.md's "Using it" block
// as written (paths rebased onto the repository, --out into a temporary
// directory, a pipe's right side dropped), so the README cannot drift from
// the CLI. The edge command after `make train-smoke` is run by the smoke
// script, which has the trained model.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Using it\n\n```\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal(`README.md has no "Using it" code block`)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	var cur strings.Builder
	for _, line := range strings.Split(string(block[1]), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		cont := strings.HasSuffix(line, `\`)
		cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
		if !cont {
			if c := strings.TrimSpace(cur.String()); c != "" {
				cmds = append(cmds, c)
			}
			cur.Reset()
		}
	}
	ran := 0
	for _, c := range cmds {
		c, _, _ = strings.Cut(c, "|")
		args := strings.Fields(c)
		if len(args) == 0 || args[0] != "slm" || strings.Contains(c, "...") {
			continue
		}
		args = args[1:]
		for i, a := range args {
			if strings.HasPrefix(a, "examples/") {
				args[i] = filepath.Join("../..", a)
			}
			if i > 0 && args[i-1] == "--out" {
				args[i] = filepath.Join(t.TempDir(), "out")
			}
		}
		t.Run(c, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut, []string{"PATH=/usr/bin", "SLM_ORT_LIB=" + exe})
			if code != 0 {
				t.Errorf("slm %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
			}
		})
		ran++
	}
	if ran < 4 {
		t.Errorf("ran %d README commands, want the validate, plan, fmt and graph lines", ran)
	}
}
