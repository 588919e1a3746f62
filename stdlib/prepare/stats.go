package prepare

import (
	"math"
	"sort"
)

// Stats is stats.json: what went in, what was dropped and why, and what each
// split holds. Struct fields fix the key order; map keys are sorted by
// encoding/json, so the file is byte-for-byte reproducible.
type Stats struct {
	Dataset string `json:"dataset"`
	// InputSHA256 is the SHA-256 of the raw input bytes in reading order
	// (SPEC.md section 2.1): the registry records it as the dataset digest.
	InputSHA256 string                 `json:"input_sha256"`
	Input       InputStats             `json:"input"`
	Cleaning    CleaningConfig         `json:"cleaning"`
	Split       SplitConfig            `json:"split"`
	Splits      SplitsStats            `json:"splits"`
	Labels      map[string]LabelCounts `json:"labels"`
}

// InputStats counts the input rows and what cleaning removed.
type InputStats struct {
	Files []string `json:"files"`
	// Rows is every record read; the row expectations count these.
	Rows int64 `json:"rows"`
	// NullRows had no text or no label and were dropped.
	NullRows int64 `json:"null_rows"`
	// DuplicateRows repeated an earlier row's cleaned text.
	DuplicateRows int64 `json:"duplicate_rows"`
	// ConflictingTexts were seen with more than one label; all
	// ConflictingRows holding them were dropped.
	ConflictingTexts int64 `json:"conflicting_texts"`
	ConflictingRows  int64 `json:"conflicting_rows"`
	// KeptRows were written to a split.
	KeptRows int64 `json:"kept_rows"`
}

// SplitsStats holds one entry per output split.
type SplitsStats struct {
	Train      SplitStats `json:"train"`
	Validation SplitStats `json:"validation"`
	Test       SplitStats `json:"test"`
}

func (s *SplitsStats) at(i int) *SplitStats {
	switch i {
	case splitTrain:
		return &s.Train
	case splitValidation:
		return &s.Validation
	default:
		return &s.Test
	}
}

// SplitStats describes one split.
type SplitStats struct {
	Rows        int64            `json:"rows"`
	Labels      map[string]int64 `json:"labels"`
	LengthChars Distribution     `json:"length_chars"`
	LengthWords Distribution     `json:"length_words"`
}

// LabelCounts is one label's rows per split.
type LabelCounts struct {
	Train      int64 `json:"train"`
	Validation int64 `json:"validation"`
	Test       int64 `json:"test"`
	Total      int64 `json:"total"`
}

// Distribution summarises text lengths. Percentiles use the nearest-rank
// method, so they are always observed lengths.
type Distribution struct {
	Min  int     `json:"min"`
	P50  int     `json:"p50"`
	P90  int     `json:"p90"`
	P95  int     `json:"p95"`
	P99  int     `json:"p99"`
	Max  int     `json:"max"`
	Mean float64 `json:"mean"`
}

// histogram counts lengths exactly in memory proportional to the number of
// distinct lengths (bounded by the longest text), not to the number of rows.
type histogram map[int]int64

func (h histogram) distribution() Distribution {
	if len(h) == 0 {
		return Distribution{}
	}
	lengths := make([]int, 0, len(h))
	var n, sum int64
	for l, c := range h {
		lengths = append(lengths, l)
		n += c
		sum += int64(l) * c
	}
	sort.Ints(lengths)
	rank := func(p float64) int {
		want := int64(math.Ceil(p * float64(n)))
		var seen int64
		for _, l := range lengths {
			seen += h[l]
			if seen >= want {
				return l
			}
		}
		return lengths[len(lengths)-1]
	}
	return Distribution{
		Min:  lengths[0],
		P50:  rank(0.50),
		P90:  rank(0.90),
		P95:  rank(0.95),
		P99:  rank(0.99),
		Max:  lengths[len(lengths)-1],
		Mean: math.Round(float64(sum)/float64(n)*1000) / 1000,
	}
}
