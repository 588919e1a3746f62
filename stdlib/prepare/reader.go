package prepare

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
)

// rawRow is one input record before cleaning.
type rawRow struct {
	File  string // input file name, for reports
	Line  int    // 1-based line where the record starts
	Text  string
	Label string
	// Split is the row's split field (split.field), when configured;
	// NullSplit marks it missing, null or blank.
	Split     string
	NullSplit bool
	// NullText and NullLabel mark a missing, null or blank text or label.
	NullText, NullLabel bool
	// NullFields lists the expectations' not_null fields that are null in
	// this row, in configuration order.
	NullFields []string
}

// rowReader turns input files into rawRows for a given dataset layout.
type rowReader struct {
	textField, labelField string
	// splitField, when set, is read into rawRow.Split.
	splitField string
	notNull    []string
	// digest, when set, sees every input byte in reading order: the
	// dataset's digest that the model registry records as lineage.
	digest hash.Hash
}

// maxLineBytes bounds one JSONL line so a corrupt file (no newlines) cannot
// exhaust memory.
const maxLineBytes = 16 << 20

func (r *rowReader) readFile(ctx context.Context, f inputFile, fn func(*rawRow) error) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("opening input: %w", err)
	}
	defer func() { _ = fh.Close() }()
	var src io.Reader = fh
	if r.digest != nil {
		src = io.TeeReader(fh, r.digest)
		// Whatever the parser leaves unread still counts.
		defer func() { _, _ = io.Copy(io.Discard, src) }()
	}
	br := bufio.NewReaderSize(src, 1<<20)
	// A UTF-8 byte order mark (common in spreadsheet exports) is not data.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	switch f.Format {
	case FormatCSV:
		return r.readCSV(ctx, f.Name, br, fn)
	default:
		return r.readJSONL(ctx, f.Name, br, fn)
	}
}

func (r *rowReader) readJSONL(ctx context.Context, name string, in io.Reader, fn func(*rawRow) error) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	// Slots for the fields a row needs: text, label, then the not_null ones.
	index := map[string]int{r.textField: 0, r.labelField: 1}
	if r.splitField != "" {
		index[r.splitField] = 2
	}
	for _, f := range r.notNull {
		if _, ok := index[f]; !ok {
			index[f] = len(index)
		}
	}
	vals := make([]json.RawMessage, len(index))
	line := 0
	var row rawRow
	for sc.Scan() {
		line++
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue // blank lines (a trailing newline, say) carry no record
		}
		if err := scanObject(b, index, vals); err != nil {
			return fmt.Errorf("%s line %d: not a JSON object: %w; each line must be one object such as {%q: ..., %q: ...}", name, line, err, r.textField, r.labelField)
		}
		row = rawRow{File: name, Line: line}
		var err error
		if row.Text, row.NullText, err = jsonString(vals[0], false); err != nil {
			return fmt.Errorf("%s line %d: field %q: %w", name, line, r.textField, err)
		}
		if row.Label, row.NullLabel, err = jsonString(vals[1], true); err != nil {
			return fmt.Errorf("%s line %d: field %q: %w", name, line, r.labelField, err)
		}
		if r.splitField != "" {
			if row.Split, row.NullSplit, err = jsonString(vals[2], true); err != nil {
				return fmt.Errorf("%s line %d: field %q: %w", name, line, r.splitField, err)
			}
		}
		for _, field := range r.notNull {
			if jsonNull(vals[index[field]]) {
				row.NullFields = append(row.NullFields, field)
			}
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s line %d: line longer than %d bytes; is this really JSONL?", name, line+1, maxLineBytes)
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// jsonString decodes a field value as text. Absent, null and blank values are
// null. Labels may also be numbers or booleans (kept as written); texts must
// be strings.
func jsonString(raw json.RawMessage, allowScalar bool) (string, bool, error) {
	if jsonNull(raw) {
		return "", true, nil
	}
	switch raw[0] {
	case '"':
		s, err := unquote(raw)
		if err != nil {
			return "", false, err
		}
		return s, strings.TrimSpace(s) == "", nil
	case '{', '[':
		return "", false, errors.New("is an object or array; want a string")
	default:
		if !allowScalar {
			return "", false, fmt.Errorf("is %s; want a string", raw)
		}
		return string(raw), false, nil
	}
}

// jsonNull reports whether a JSON field value is absent, null or a blank string.
func jsonNull(raw json.RawMessage) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	if raw[0] == '"' {
		s, err := unquote(raw)
		return err == nil && strings.TrimSpace(s) == ""
	}
	return false
}

// unquote decodes a JSON string the decoder has already validated. Most
// strings hold no escapes and are taken as they are, which halves the cost
// of reading a large file.
func unquote(raw json.RawMessage) (string, error) {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

func (r *rowReader) readCSV(ctx context.Context, name string, in io.Reader, fn func(*rawRow) error) error {
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil // an empty file holds no rows
	}
	if err != nil {
		return fmt.Errorf("%s: reading the CSV header: %w", name, err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	textCol, ok := col[r.textField]
	if !ok {
		return fmt.Errorf("%s: the CSV header has no column %q (it has %s); set dataset.text_field", name, r.textField, strings.Join(header, ", "))
	}
	labelCol, ok := col[r.labelField]
	if !ok {
		return fmt.Errorf("%s: the CSV header has no column %q (it has %s); set dataset.label_field", name, r.labelField, strings.Join(header, ", "))
	}
	splitCol := -1
	if r.splitField != "" {
		if splitCol, ok = col[r.splitField]; !ok {
			return fmt.Errorf("%s: the CSV header has no column %q (it has %s); every row needs its split (split.field)", name, r.splitField, strings.Join(header, ", "))
		}
	}
	// A not_null column absent from the header is null in every row.
	notNullCols := make([]int, len(r.notNull))
	for i, f := range r.notNull {
		if c, ok := col[f]; ok {
			notNullCols[i] = c
		} else {
			notNullCols[i] = -1
		}
	}
	var row rawRow
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w; quote fields holding commas, quotes or newlines", name, err)
		}
		line, _ := cr.FieldPos(0)
		row = rawRow{File: name, Line: line, Text: rec[textCol], Label: rec[labelCol]}
		row.NullText = strings.TrimSpace(row.Text) == ""
		row.NullLabel = strings.TrimSpace(row.Label) == ""
		if splitCol >= 0 {
			row.Split = rec[splitCol]
			row.NullSplit = strings.TrimSpace(row.Split) == ""
		}
		for i, c := range notNullCols {
			if c < 0 || strings.TrimSpace(rec[c]) == "" {
				row.NullFields = append(row.NullFields, r.notNull[i])
			}
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
}
