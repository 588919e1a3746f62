package evaluate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Example is one labelled test text.
type Example struct {
	Text  string `json:"text"`
	Label string `json:"label"`
}

// ReadTestSet reads --test: a JSONL file of {"text", "label"} objects (what
// prepare writes), or a directory holding data.jsonl, or else its *.jsonl
// files in lexical order.
func ReadTestSet(path string) ([]Example, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--test: %w", err)
	}
	files := []string{path}
	if info.IsDir() {
		if isFile(filepath.Join(path, "data.jsonl")) {
			files = []string{filepath.Join(path, "data.jsonl")}
		} else {
			files, _ = filepath.Glob(filepath.Join(path, "*.jsonl"))
			sort.Strings(files)
			if len(files) == 0 {
				return nil, fmt.Errorf("--test %s: no data.jsonl or *.jsonl in the directory", path)
			}
		}
	}
	var out []Example
	for _, f := range files {
		ex, err := readJSONL(f)
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--test %s: no examples", path)
	}
	return out, nil
}

func readJSONL(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening test data: %w", err)
	}
	defer func() { _ = f.Close() }()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var ex struct {
			Text  *string `json:"text"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal(b, &ex); err != nil {
			return nil, fmt.Errorf("%s line %d: %w; want {\"text\": ..., \"label\": ...} as prepare writes", path, line, err)
		}
		if ex.Text == nil || ex.Label == nil || strings.TrimSpace(*ex.Label) == "" {
			return nil, fmt.Errorf("%s line %d: want a string \"text\" and a non-empty string \"label\"", path, line)
		}
		out = append(out, Example{Text: *ex.Text, Label: *ex.Label})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s: a line is longer than 16 MiB", path)
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}
