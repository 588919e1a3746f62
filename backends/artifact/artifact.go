// Package artifact holds the files a plan uploads for the pipeline to run:
// step code, configuration and the model bundle tooling. Each is addressed by
// the SHA-256 of its bytes, so an unchanged input keeps its S3 key and an
// unchanged pipeline compiles to identical bytes.
package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
)

// File is one artifact: a file name and its bytes, or, for a large file
// that exists on disk already (the step runner, ONNX Runtime, slm-edge), a
// reference to it: its digest, size and local path. A plan addresses such a
// file by digest without reading it into memory or copying it into every
// output directory; only apply reads it, and checks the digest.
type File struct {
	// Role says what the file is for, e.g. "step runner".
	Role    string
	Name    string
	Content []byte
	// Digest (hex SHA-256), Length and Source describe a file given by
	// reference; they are used when Content is nil.
	Digest string
	Length int
	Source string
}

// Ref is a File given by reference.
func Ref(role, name, source, digest string, length int) File {
	return File{Role: role, Name: name, Source: source, Digest: digest, Length: length}
}

// ByRef says the file is given by reference rather than by its bytes.
func (f File) ByRef() bool { return f.Content == nil && f.Digest != "" }

// SHA256 is the hex digest of the content.
func (f File) SHA256() string {
	if f.ByRef() {
		return f.Digest
	}
	sum := sha256.Sum256(f.Content)
	return hex.EncodeToString(sum[:])
}

// Size is the file's length in bytes.
func (f File) Size() int {
	if f.ByRef() {
		return f.Length
	}
	return len(f.Content)
}

// Upload describes f placed at uri; path is where a plan writes its bytes
// under the output directory, which a file given by reference is not
// (apply reads it from Source).
func (f File) Upload(uri, path string) Upload {
	u := Upload{Role: f.Role, Name: f.Name, SHA256: f.SHA256(), Size: f.Size(), URI: uri}
	if f.ByRef() {
		u.Source = f.Source
	} else {
		u.Path = path
	}
	return u
}

// Key is the content-addressed key of the file under a code prefix:
// code/<sha256>/<name>.
func (f File) Key() string { return "code/" + f.SHA256() + "/" + f.Name }

// Upload is an artifact placed in S3.
type Upload struct {
	Role   string `json:"role"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	// URI is the S3 location the plan uploads the file to.
	URI string `json:"uri"`
	// Path is where the plan wrote the file, relative to the output dir;
	// empty for a file given by reference.
	Path string `json:"path,omitempty"`
	// Source is the local file a reference points at, read (and its digest
	// checked) only when it is uploaded.
	Source string `json:"source,omitempty"`
}

// Sort orders uploads by URI so listings are stable.
func Sort(us []Upload) {
	sort.Slice(us, func(i, j int) bool { return us[i].URI < us[j].URI })
}
