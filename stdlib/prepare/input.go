package prepare

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// inputFile is one raw data file and the format it is parsed as.
type inputFile struct {
	Path   string // as opened
	Name   string // as shown in reports: relative to the --input directory
	Format string
	// Dataset is the index of the dataset the file belongs to.
	Dataset int
}

// listInputs resolves --input: a single file, or a directory whose *.jsonl
// and *.csv files are read in lexical order (SPEC.md section 2.1). A file's
// extension decides its format; the configured format is used for a single
// file with another extension.
func listInputs(path, format string) ([]inputFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading --input: %w", err)
	}
	if !info.IsDir() {
		f := formatOf(path)
		if f == "" {
			f = format
		}
		if f == "" {
			return nil, fmt.Errorf("--input %s: cannot tell the format from the extension; set dataset.format to %q or %q", path, FormatJSONL, FormatCSV)
		}
		return []inputFile{{Path: path, Name: filepath.Base(path), Format: f}}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("reading --input directory: %w", err)
	}
	var files []inputFile
	for _, e := range entries {
		f := formatOf(e.Name())
		if e.IsDir() || f == "" {
			continue
		}
		files = append(files, inputFile{Path: filepath.Join(path, e.Name()), Name: e.Name(), Format: f})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	if len(files) == 0 {
		return nil, fmt.Errorf("--input directory %s holds no *.jsonl or *.csv file", path)
	}
	return files, nil
}

func formatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl":
		return FormatJSONL
	case ".csv":
		return FormatCSV
	}
	return ""
}
