package prepare

import (
	"encoding/json"
	"errors"
)

// scanObject finds the raw values of the wanted top-level keys of one JSON
// object without decoding the rest. Decoding every line into a
// map[string]json.RawMessage allocated a map, a key string and a value copy
// per field per row and dominated the step's time on large inputs; this
// validates the line with json.Valid (no allocation) and then walks it once.
// vals[i] receives the value of the key that index maps to i (the last one if
// a key repeats, as encoding/json does), as a sub-slice of line; keys not
// present leave vals[i] nil.
func scanObject(line []byte, index map[string]int, vals []json.RawMessage) error {
	for i := range vals {
		vals[i] = nil
	}
	if !json.Valid(line) {
		var v map[string]json.RawMessage
		if err := json.Unmarshal(line, &v); err != nil {
			return err // encoding/json's message says what and where
		}
		return errors.New("invalid JSON")
	}
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return errors.New("the line is valid JSON but not an object")
	}
	i = skipSpace(line, i+1)
	if line[i] == '}' {
		return nil
	}
	for {
		// Key: a string; the line is valid, so it ends at an unescaped quote.
		end := stringEnd(line, i)
		key := line[i+1 : end-1]
		slot, ok := -1, false
		if hasBackslash(key) {
			var k string
			if err := json.Unmarshal(line[i:end], &k); err != nil {
				return err
			}
			slot, ok = index[k]
		} else {
			slot, ok = index[string(key)] // no allocation: the compiler reuses key's bytes
		}
		i = skipSpace(line, end)
		i = skipSpace(line, i+1) // past ':'
		vend := valueEnd(line, i)
		if ok {
			vals[slot] = line[i:vend]
		}
		i = skipSpace(line, vend)
		if line[i] == '}' {
			return nil
		}
		i = skipSpace(line, i+1) // past ','
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// stringEnd returns the index just past the string starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
			j++
		}
		return j
	}
}
