package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// file is the part of tokenizer.json this package reads.
type file struct {
	Truncation *struct {
		MaxLength int    `json:"max_length"`
		Strategy  string `json:"strategy"`
		Direction string `json:"direction"`
	} `json:"truncation"`
	Padding *struct {
		PadID *int64 `json:"pad_id"`
	} `json:"padding"`
	AddedTokens []struct {
		ID         int64  `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		SingleWord bool   `json:"single_word"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
	} `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         json.RawMessage `json:"model"`
}

type typed struct {
	Type string `json:"type"`
}

// Load reads a Hugging Face tokenizer.json.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	return t, nil
}

// Parse reads tokenizer.json bytes. The truncation length comes from the
// file's truncation section (none when absent); see WithMaxLength.
func Parse(data []byte) (*Tokenizer, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse tokenizer.json: %w", err)
	}
	t := &Tokenizer{}
	var err error
	if t.model, err = parseModel(f.Model); err != nil {
		return nil, err
	}
	if t.norm, err = parseNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if err := checkPreTokenizer(f.PreTokenizer); err != nil {
		return nil, err
	}
	if err := t.parsePostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	if tr := f.Truncation; tr != nil {
		if tr.Direction != "" && tr.Direction != "Right" {
			return nil, fmt.Errorf("truncation direction %q is not implemented; slm-edge truncates on the right", tr.Direction)
		}
		t.maxLen = max(tr.MaxLength, 0)
	}
	for _, a := range f.AddedTokens {
		if a.Content == "" {
			return nil, fmt.Errorf("added token %d has empty content", a.ID)
		}
		if a.Normalized || a.SingleWord || a.LStrip || a.RStrip {
			return nil, fmt.Errorf("added token %q uses normalized/single_word/lstrip/rstrip, which slm-edge does not implement; re-export the tokenizer with plain special tokens", a.Content)
		}
		t.added = append(t.added, addedToken{content: a.Content, id: a.ID})
		t.first[a.Content[0]] = true
	}
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].content) > len(t.added[j].content) })
	t.padID = t.model.vocab["[PAD]"]
	if f.Padding != nil && f.Padding.PadID != nil {
		t.padID = *f.Padding.PadID
	}
	return t, nil
}

func parseModel(raw json.RawMessage) (*wordPiece, error) {
	var m struct {
		Type                    string           `json:"type"`
		UnkToken                string           `json:"unk_token"`
		ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int              `json:"max_input_chars_per_word"`
		Vocab                   map[string]int64 `json:"vocab"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("tokenizer.json has no model")
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	if m.Type != "WordPiece" {
		return nil, fmt.Errorf("model type %q is not implemented; slm-edge implements WordPiece (BERT) tokenizers", m.Type)
	}
	if len(m.Vocab) == 0 {
		return nil, fmt.Errorf("WordPiece model has an empty vocab")
	}
	unk, ok := m.Vocab[m.UnkToken]
	if !ok {
		return nil, fmt.Errorf("WordPiece unk_token %q is not in the vocab", m.UnkToken)
	}
	prefix := "##"
	if m.ContinuingSubwordPrefix != nil {
		prefix = *m.ContinuingSubwordPrefix
	}
	w := &wordPiece{vocab: m.Vocab, continued: map[string]int64{}, unkID: unk, maxWordRune: m.MaxInputCharsPerWord}
	if w.maxWordRune <= 0 {
		w.maxWordRune = 100
	}
	for tok, id := range m.Vocab {
		if rest, ok := strings.CutPrefix(tok, prefix); ok {
			w.continued[rest] = id
		}
	}
	return w, nil
}

func parseNormalizer(raw json.RawMessage) (*normalizer, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var n struct {
		Type               string `json:"type"`
		CleanText          *bool  `json:"clean_text"`
		HandleChineseChars *bool  `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          *bool  `json:"lowercase"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("parse normalizer: %w", err)
	}
	if n.Type != "BertNormalizer" {
		return nil, fmt.Errorf("normalizer %q is not implemented; slm-edge implements BertNormalizer", n.Type)
	}
	orTrue := func(b *bool) bool { return b == nil || *b }
	out := &normalizer{
		cleanText:    orTrue(n.CleanText),
		chineseChars: orTrue(n.HandleChineseChars),
		lowercase:    orTrue(n.Lowercase),
	}
	// strip_accents null follows lowercase, as in tokenizers.
	out.stripAccents = out.lowercase
	if n.StripAccents != nil {
		out.stripAccents = *n.StripAccents
	}
	return out, nil
}

func checkPreTokenizer(raw json.RawMessage) error {
	var p typed
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("tokenizer.json has no pre_tokenizer; slm-edge implements BertPreTokenizer")
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("parse pre_tokenizer: %w", err)
	}
	if p.Type != "BertPreTokenizer" {
		return fmt.Errorf("pre_tokenizer %q is not implemented; slm-edge implements BertPreTokenizer", p.Type)
	}
	return nil
}

func (t *Tokenizer) parsePostProcessor(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var p typed
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("parse post_processor: %w", err)
	}
	switch p.Type {
	case "BertProcessing":
		var b struct {
			Sep [2]json.RawMessage `json:"sep"`
			Cls [2]json.RawMessage `json:"cls"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("parse BertProcessing: %w", err)
		}
		var cls, sep int64
		if err := json.Unmarshal(b.Cls[1], &cls); err != nil {
			return fmt.Errorf("parse BertProcessing cls id: %w", err)
		}
		if err := json.Unmarshal(b.Sep[1], &sep); err != nil {
			return fmt.Errorf("parse BertProcessing sep id: %w", err)
		}
		t.prefix = []templatePiece{{id: cls}}
		t.suffix = []templatePiece{{id: sep}}
		return nil
	case "TemplateProcessing":
		return t.parseTemplate(raw)
	default:
		return fmt.Errorf("post_processor %q is not implemented; slm-edge implements TemplateProcessing and BertProcessing", p.Type)
	}
}

func (t *Tokenizer) parseTemplate(raw json.RawMessage) error {
	var tp struct {
		Single []struct {
			SpecialToken *struct {
				ID     string `json:"id"`
				TypeID int64  `json:"type_id"`
			} `json:"SpecialToken"`
			Sequence *struct {
				ID     string `json:"id"`
				TypeID int64  `json:"type_id"`
			} `json:"Sequence"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int64 `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &tp); err != nil {
		return fmt.Errorf("parse TemplateProcessing: %w", err)
	}
	seenSeq := false
	for _, piece := range tp.Single {
		switch {
		case piece.Sequence != nil:
			if seenSeq || piece.Sequence.ID != "A" {
				return fmt.Errorf("TemplateProcessing single template must hold sequence A once")
			}
			seenSeq = true
			t.typeA = piece.Sequence.TypeID
		case piece.SpecialToken != nil:
			st, ok := tp.SpecialTokens[piece.SpecialToken.ID]
			if !ok {
				return fmt.Errorf("TemplateProcessing: special token %q has no entry in special_tokens", piece.SpecialToken.ID)
			}
			for _, id := range st.IDs {
				tpc := templatePiece{id: id, typeID: piece.SpecialToken.TypeID}
				if seenSeq {
					t.suffix = append(t.suffix, tpc)
				} else {
					t.prefix = append(t.prefix, tpc)
				}
			}
		default:
			return fmt.Errorf("TemplateProcessing: a template piece is neither SpecialToken nor Sequence")
		}
	}
	if !seenSeq {
		return fmt.Errorf("TemplateProcessing single template has no sequence")
	}
	return nil
}
