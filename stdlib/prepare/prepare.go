package prepare

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// ExpectationError is returned when the dataset violates its expectations.
// The CLI prints Report and exits with status 1.
type ExpectationError struct {
	Violations []Violation
	Report     string // Markdown, also written to the output's report.md
}

func (e *ExpectationError) Error() string {
	names := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		names[i] = v.Expectation
	}
	return fmt.Sprintf("the dataset violates %d expectation(s): %s", len(e.Violations), strings.Join(names, ", "))
}

// textKey identifies a cleaned text: the first 16 bytes of its SHA-256. The
// de-duplication table holds these instead of the texts, which bounds its
// memory per distinct text; a collision needs about 2^64 texts.
type textKey [16]byte

func keyOf(text string) textKey {
	sum := sha256.Sum256([]byte(text))
	var k textKey
	copy(k[:], sum[:])
	return k
}

// textEntry is what the first pass remembers about one distinct text: where
// it first occurred (the row that is kept), its first label and how often it
// occurred.
type textEntry struct {
	file, line, label, count uint32
	conflict                 bool
}

// Paths are the step's flags.
type Paths struct {
	Input  string // --input: a file or a directory of *.jsonl / *.csv
	Output string // --output: train/, validation/, test/
	// Report (--report) receives stats.json and report.md; "" means Output.
	// The SageMaker pipeline gives it its own processing output, so the
	// quality gates can read stats.json without downloading the splits.
	Report string
}

// Run executes the prepare step: first pass (expectations, duplicate and
// conflict detection, per-label counts), then, if every expectation holds,
// second pass (clean, de-duplicate, split, write). It returns the statistics,
// or an *ExpectationError after writing report.md.
func Run(ctx context.Context, cfg *Config, paths Paths) (*Stats, error) {
	if paths.Report == "" {
		paths.Report = paths.Output
	}
	input, output, reportDir := paths.Input, paths.Output, paths.Report
	p := &pipeline{cfg: cfg}
	var cs []*checks
	multi := len(cfg.Datasets) > 0
	for i, d := range cfg.inputs() {
		dir := input
		if multi {
			// Several datasets: each in its own subdirectory (in SageMaker,
			// its own processing input), read in the order listed.
			dir = filepath.Join(input, d.Name)
		}
		files, err := listInputs(dir, d.Format)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
		}
		for _, f := range files {
			f.Dataset = i
			if multi {
				f.Name = d.Name + "/" + f.Name
			}
			p.files = append(p.files, f)
		}
		p.readers = append(p.readers, &rowReader{textField: d.TextField, labelField: d.LabelField, splitField: cfg.Split.Field, notNull: d.Expectations.NotNull})
		p.labelMaps = append(p.labelMaps, d.LabelMap)
		c := newChecks(d.Expectations)
		if multi {
			c.prefix = d.Name + "."
		}
		cs = append(cs, c)
	}
	sv, err := p.survey(ctx, cs)
	if err != nil {
		return nil, err
	}
	var v []Violation
	for _, c := range cs {
		v = append(v, c.violations(sv)...)
	}
	v = append(v, splitViolations(cfg.Split, sv)...)
	if len(v) > 0 {
		report := failureReport(cfg, p.fileNames(), sv, v)
		if err := removeOutputs(output, reportDir); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(filepath.Join(reportDir, "report.md"), []byte(report)); err != nil {
			return nil, err
		}
		return nil, &ExpectationError{Violations: v, Report: report}
	}
	if p.kept == 0 {
		return nil, fmt.Errorf("no rows left to split: %d rows read, %d without a text or label, %d conflicting; check dataset.text_field and dataset.label_field", sv.rows, p.nullRows, p.conflictRows)
	}
	return p.write(ctx, sv, output, reportDir)
}

// pipeline holds the state shared by the two passes.
type pipeline struct {
	cfg   *Config
	files []inputFile
	// readers and labelMaps are per dataset (inputFile.Dataset).
	readers   []*rowReader
	labelMaps []map[string]string

	seen       map[textKey]textEntry
	labelID    map[string]uint32
	labelNames []string

	nullRows, conflictTexts, conflictRows, kept int64
}

func (p *pipeline) fileNames() []string {
	names := make([]string, len(p.files))
	for i, f := range p.files {
		names[i] = f.Name
	}
	return names
}

func (p *pipeline) intern(label string) uint32 {
	if id, ok := p.labelID[label]; ok {
		return id
	}
	id := uint32(len(p.labelNames))
	p.labelID[label] = id
	p.labelNames = append(p.labelNames, label)
	return id
}

// survey is the first pass.
// label is a row's label as the splits carry it: cleaned, then renamed by
// its dataset's label_map.
func (p *pipeline) label(f inputFile, raw string) string {
	l := cleanLabel(raw)
	if to, ok := p.labelMaps[f.Dataset][l]; ok {
		return to
	}
	return l
}

func (p *pipeline) survey(ctx context.Context, cs []*checks) (*survey, error) {
	digest := sha256.New()
	for _, r := range p.readers {
		r.digest = digest
	}
	defer func() {
		for _, r := range p.readers {
			r.digest = nil
		}
	}()
	p.seen = map[textKey]textEntry{}
	p.labelID = map[string]uint32{}
	s := &survey{}
	for fi, f := range p.files {
		c := cs[f.Dataset]
		err := p.readers[f.Dataset].readFile(ctx, f, func(r *rawRow) error {
			s.rows++
			c.rows++
			c.nullRow(r)
			if r.NullText || r.NullLabel {
				p.nullRows++
				return nil
			}
			text := Clean(r.Text, p.cfg.Cleaning)
			label := p.label(f, r.Label)
			c.row(r, text, label)
			s.validRows++
			if field := p.cfg.Split.Field; field != "" && splitOf(strings.TrimSpace(r.Split)) < 0 {
				note := fmt.Sprintf("%s is %q", field, r.Split)
				if r.NullSplit {
					note = fmt.Sprintf("no %s value", field)
				}
				s.badSplits.add(Example{File: r.File, Line: r.Line, Text: shorten(text), Label: label, Note: note})
			}
			id := p.intern(label)
			key := keyOf(text)
			e, ok := p.seen[key]
			if !ok {
				p.seen[key] = textEntry{file: uint32(fi), line: uint32(r.Line), label: id, count: 1}
				return nil
			}
			first := fmt.Sprintf("%s line %d", p.files[e.file].Name, e.line)
			s.duplicates.add(Example{File: r.File, Line: r.Line, Text: shorten(text), Label: label, Note: "same text as " + first})
			e.count++
			if e.label != id && !e.conflict {
				e.conflict = true
				s.conflicts.add(Example{File: r.File, Line: r.Line, Text: shorten(text), Label: label,
					Note: fmt.Sprintf("labelled %q at %s", p.labelNames[e.label], first)})
			}
			p.seen[key] = e
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	s.inputSHA256 = hex.EncodeToString(digest.Sum(nil))
	s.keptPerLabel = map[string]int64{}
	for _, e := range p.seen {
		if e.conflict {
			p.conflictTexts++
			p.conflictRows += int64(e.count)
			continue
		}
		n := int64(e.count)
		if p.cfg.Cleaning.Deduplicate {
			n = 1
		}
		s.keptPerLabel[p.labelNames[e.label]] += n
		p.kept += n
	}
	for l := range s.keptPerLabel {
		s.labelsInOrder = append(s.labelsInOrder, l)
	}
	sort.Strings(s.labelsInOrder)
	return s, nil
}

// outputRow is one line of a split's data.jsonl (SPEC.md section 2.1).
type outputRow struct {
	Text  string `json:"text"`
	Label string `json:"label"`
}

// write is the second pass: it assigns every kept row to a split and writes
// the splits, stats.json and report.md.
func (p *pipeline) write(ctx context.Context, sv *survey, output, reportDir string) (*Stats, error) {
	sp := p.cfg.Split
	fractions := [numSplits]float64{sp.Train, sp.Validation, sp.Test}
	groups := map[string]*group{}
	// A predefined split (Field) needs no groups: each row says where it goes.
	if sp.Field == "" && !sp.Stratify {
		groups[""] = newGroup(sp.Seed, "", p.kept, fractions)
	}
	for _, l := range sv.labelsInOrder {
		if sp.Field == "" && sp.Stratify {
			groups[l] = newGroup(sp.Seed, l, sv.keptPerLabel[l], fractions)
		}
	}

	var outs [numSplits]*atomicFile
	var encs [numSplits]*json.Encoder
	defer func() {
		for _, o := range outs {
			if o != nil {
				o.abort()
			}
		}
	}()
	for i, name := range splitNames {
		o, err := createAtomic(filepath.Join(output, name, "data.jsonl"))
		if err != nil {
			return nil, err
		}
		outs[i] = o
		encs[i] = json.NewEncoder(o)
		encs[i].SetEscapeHTML(false)
	}

	st := &Stats{
		Dataset:     datasetNames(p.cfg),
		InputSHA256: sv.inputSHA256,
		Cleaning:    p.cfg.Cleaning,
		Split:       sp,
		Labels:      map[string]LabelCounts{},
		Input: InputStats{
			Files:            p.fileNames(),
			Rows:             sv.rows,
			NullRows:         p.nullRows,
			DuplicateRows:    sv.duplicates.count,
			ConflictingTexts: p.conflictTexts,
			ConflictingRows:  p.conflictRows,
		},
	}
	var chars, words [numSplits]histogram
	for i := range splitNames {
		st.Splits.at(i).Labels = map[string]int64{}
		chars[i], words[i] = histogram{}, histogram{}
	}
	changed := errors.New("the input changed between the two passes; do not modify --input while prepare runs")
	for fi, f := range p.files {
		err := p.readers[f.Dataset].readFile(ctx, f, func(r *rawRow) error {
			if r.NullText || r.NullLabel {
				return nil
			}
			text := Clean(r.Text, p.cfg.Cleaning)
			label := p.label(f, r.Label)
			e, ok := p.seen[keyOf(text)]
			if !ok {
				return changed
			}
			if e.conflict || (p.cfg.Cleaning.Deduplicate && (e.file != uint32(fi) || e.line != uint32(r.Line))) {
				return nil
			}
			var split int
			if sp.Field != "" {
				// The row's own split. With de-duplication the kept row is
				// a text's first occurrence, so a text in several splits
				// stays in the first one the input lists.
				split = splitOf(strings.TrimSpace(r.Split))
			} else {
				g := groups[""]
				if sp.Stratify {
					g = groups[label]
				}
				if g == nil {
					return changed
				}
				split = g.next()
			}
			if split < 0 {
				return changed
			}
			if err := encs[split].Encode(outputRow{Text: text, Label: label}); err != nil {
				return fmt.Errorf("writing %s split: %w", splitNames[split], err)
			}
			ss := st.Splits.at(split)
			ss.Rows++
			ss.Labels[label]++
			chars[split][utf8.RuneCountInString(text)]++
			words[split][len(strings.Fields(text))]++
			lc := st.Labels[label]
			switch split {
			case splitTrain:
				lc.Train++
			case splitValidation:
				lc.Validation++
			default:
				lc.Test++
			}
			lc.Total++
			st.Labels[label] = lc
			st.Input.KeptRows++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("second pass over %s: %w", f.Name, err)
		}
	}
	if st.Input.KeptRows != p.kept {
		return nil, changed
	}
	for i := range splitNames {
		ss := st.Splits.at(i)
		ss.LengthChars = chars[i].distribution()
		ss.LengthWords = words[i].distribution()
	}

	if v := append(emptySplits(st), evalLabelsInTrain(st)...); len(v) > 0 {
		report := failureReport(p.cfg, p.fileNames(), sv, v)
		if err := removeOutputs(output, reportDir); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(filepath.Join(reportDir, "report.md"), []byte(report)); err != nil {
			return nil, err
		}
		return nil, &ExpectationError{Violations: v, Report: report}
	}
	statsJSON, err := marshalStats(st)
	if err != nil {
		return nil, err
	}
	// The splits first, the summaries last: a stats.json beside the splits
	// means the whole step finished.
	for i, o := range outs {
		if err := o.commit(); err != nil {
			return nil, err
		}
		outs[i] = nil
	}
	if err := writeFileAtomic(filepath.Join(reportDir, "stats.json"), statsJSON); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(reportDir, "report.md"), []byte(successReport(st, sv))); err != nil {
		return nil, err
	}
	return st, nil
}

// removeOutputs deletes the splits and stats.json an earlier run may have
// left in output, so that after a failed run the directory holds only its
// failure report and nothing can mistake old splits for this run's.
func removeOutputs(output, reportDir string) error {
	paths := []string{filepath.Join(reportDir, "stats.json")}
	for _, name := range splitNames {
		paths = append(paths, filepath.Join(output, name, "data.jsonl"))
	}
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the earlier run's %s: %w", p, err)
		}
	}
	return nil
}

func marshalStats(st *Stats) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encoding stats.json: %w", err)
	}
	return b.Bytes(), nil
}

// splitViolations reports the rows whose split.field value is missing or
// names no split: a predefined split is the dataset's, so rows outside it are
// an error to fix in the data, not rows to drop or guess.
func splitViolations(sp SplitConfig, sv *survey) []Violation {
	if sp.Field == "" || sv.badSplits.count == 0 {
		return nil
	}
	return []Violation{{Expectation: "split_field", Count: sv.badSplits.count, Examples: sv.badSplits.examples,
		Message: fmt.Sprintf("%d rows have no %q value or one other than \"train\", \"validation\" or \"test\"; give every row its split, or remove split.field to split by ratio", sv.badSplits.count, sp.Field)}}
}

// emptySplits checks that a predefined split left rows in train, validation
// and test: training chooses its threshold on validation and the gates read
// test. (A split by ratio gives each a share above 0.)
func emptySplits(st *Stats) []Violation {
	if st.Split.Field == "" {
		return nil
	}
	var out []Violation
	for i, name := range splitNames {
		if st.Splits.at(i).Rows == 0 {
			out = append(out, Violation{Expectation: "split_field", Count: 0,
				Message: fmt.Sprintf("no row kept in the %s split (%s = %q); the dataset's split needs train, validation and test rows", name, st.Split.Field, name)})
		}
	}
	return out
}

// evalLabelsInTrain checks that every label of the validation and test
// splits is in train: a model is measured, and chooses its threshold, only
// on labels it was trained on (a label too rare to reach train, or one a
// dataset spells differently, would otherwise fail training later).
func evalLabelsInTrain(st *Stats) []Violation {
	var missing tally
	labels := make([]string, 0, len(st.Labels))
	for l := range st.Labels {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		if c := st.Labels[l]; c.Train == 0 {
			missing.add(Example{Label: l, Note: fmt.Sprintf("%d validation, %d test, 0 train", c.Validation, c.Test)})
		}
	}
	if missing.count == 0 {
		return nil
	}
	return []Violation{{Expectation: "eval_labels_in_train", Count: missing.count, Examples: missing.examples,
		Message: fmt.Sprintf("%d labels of the validation or test split are absent from train; give them more examples, map them onto a trained label (label_map), or drop them", missing.count)}}
}
