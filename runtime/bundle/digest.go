package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

const digestPrefix = "sha256:"

// parseDigest checks the "sha256:<64 lower-case hex>" form and returns the hex.
func parseDigest(s string) (string, error) {
	hexPart, ok := strings.CutPrefix(s, digestPrefix)
	if !ok {
		return "", fmt.Errorf("digest %q does not start with %q", s, digestPrefix)
	}
	if len(hexPart) != 64 || strings.ToLower(hexPart) != hexPart {
		return "", fmt.Errorf("digest %q is not 64 lower-case hex digits", s)
	}
	if _, err := hex.DecodeString(hexPart); err != nil {
		return "", fmt.Errorf("digest %q is not hex: %w", s, err)
	}
	return hexPart, nil
}

// FileDigest returns "sha256:<hex>" of a file, the form manifest.files holds.
func FileDigest(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return digestPrefix + hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops a long copy (a large model) when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
