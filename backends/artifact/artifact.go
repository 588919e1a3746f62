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

// File is one artifact: a file name and its bytes.
type File struct {
	// Role says what the file is for, e.g. "step runner".
	Role    string
	Name    string
	Content []byte
}

// SHA256 is the hex digest of the content.
func (f File) SHA256() string {
	sum := sha256.Sum256(f.Content)
	return hex.EncodeToString(sum[:])
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
	// Path is where the plan wrote the file, relative to the output dir.
	Path string `json:"path"`
}

// Sort orders uploads by URI so listings are stable.
func Sort(us []Upload) {
	sort.Slice(us, func(i, j int) bool { return us[i].URI < us[j].URI })
}
