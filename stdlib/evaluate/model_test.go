package evaluate

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name     string
	typeflag byte
	body     string
	link     string
}

func writeTarGz(t *testing.T, path string, entries []entry) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typeflag, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if e.typeflag != tar.TypeReg {
			h.Size = 0
		}
		if e.typeflag == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExtractTarGz(t *testing.T) {
	good := []entry{
		{name: "./", typeflag: tar.TypeDir},
		{name: "bundle/", typeflag: tar.TypeDir},
		{name: "bundle/manifest.json", typeflag: tar.TypeReg, body: "{}"},
		{name: "./metrics.json", typeflag: tar.TypeReg, body: "{\"a\": 1}"},
		{name: "bundle-int8/deep/file", typeflag: tar.TypeReg, body: "x"}, // parent directories implied
	}
	tests := []struct {
		name    string
		entries []entry
		wantErr string
	}{
		{"good", good, ""},
		{"parent traversal", []entry{{name: "../evil", typeflag: tar.TypeReg, body: "x"}}, `".." in path`},
		{"traversal inside", []entry{{name: "bundle/../../evil", typeflag: tar.TypeReg, body: "x"}}, `".." in path`},
		{"absolute", []entry{{name: "/tmp/evil", typeflag: tar.TypeReg, body: "x"}}, "absolute path"},
		{"symlink", []entry{{name: "bundle", typeflag: tar.TypeSymlink, link: "/etc"}}, "symbolic link"},
		{"hard link", []entry{{name: "x", typeflag: tar.TypeLink, link: "/etc/passwd"}}, "hard link"},
		{"device", []entry{{name: "null", typeflag: tar.TypeChar}}, "device"},
		{"backslash", []entry{{name: `..\evil`, typeflag: tar.TypeReg, body: "x"}}, "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			archive := filepath.Join(dir, "model.tar.gz")
			writeTarGz(t, archive, tt.entries)
			dest := filepath.Join(dir, "out", "model")
			err := ExtractTarGz(context.Background(), archive, dest)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range tt.entries {
					if e.typeflag != tar.TypeReg {
						continue
					}
					got, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(e.name)))
					if err != nil || string(got) != e.body {
						t.Errorf("%s: %q, %v; want %q", e.name, got, err, e.body)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(dir, "evil")); !os.IsNotExist(err) {
				t.Error("an entry escaped the destination")
			}
		})
	}
	if err := ExtractTarGz(context.Background(), "model_test.go", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not gzip") {
		t.Errorf("a non-gzip file: error %v, want 'not gzip'", err)
	}
}

func TestResolveBundle(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Dir(p)
	}
	bundleDir := mk("plain/manifest.json")
	modelBundle := mk("model/bundle/manifest.json")
	modelInt8 := mk("model/bundle-int8/manifest.json")
	mk("model/metrics.json")
	mk("onlyint8/bundle-int8/manifest.json")
	archive := filepath.Join(root, "model.tar.gz")
	writeTarGz(t, archive, []entry{
		{name: "bundle/manifest.json", typeflag: tar.TypeReg, body: "{}"},
		{name: "metrics.json", typeflag: tar.TypeReg, body: "{}"},
	})
	scratch := t.TempDir()
	tests := []struct {
		name, model, bundleName string
		want                    string // exact, or "scratch/..." relative to scratch
		wantErr                 string
	}{
		{name: "bundle directory", model: bundleDir, bundleName: "bundle", want: bundleDir},
		{name: "model directory", model: filepath.Join(root, "model"), bundleName: "bundle", want: modelBundle},
		{name: "model directory, int8", model: filepath.Join(root, "model"), bundleName: "bundle-int8", want: modelInt8},
		{name: "archive", model: archive, bundleName: "bundle", want: "scratch/model/bundle"},
		{name: "missing bundle names the others", model: filepath.Join(root, "onlyint8"), bundleName: "bundle", wantErr: "bundles there: bundle-int8; choose one with --bundle-name"},
		{name: "bad bundle name", model: filepath.Join(root, "model"), bundleName: "../plain", wantErr: "want a plain directory name"},
		{name: "missing", model: filepath.Join(root, "nope"), bundleName: "bundle", wantErr: "no such file"},
		{name: "not an archive", model: filepath.Join(root, "model", "metrics.json"), bundleName: "bundle", wantErr: "not a .tar.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveBundle(context.Background(), tt.model, tt.bundleName, scratch)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if rel, ok := strings.CutPrefix(want, "scratch/"); ok {
				want = filepath.Join(scratch, rel)
			}
			if got != want {
				t.Errorf("bundle %s, want %s", got, want)
			}
		})
	}
}

func TestReadTestSet(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("test/data.jsonl", `{"text": "hi", "label": "greet"}`+"\n\n"+`{"text": "", "label": "oos"}`+"\n")
	write("multi/b.jsonl", `{"text": "two", "label": "b"}`+"\n")
	write("multi/a.jsonl", `{"text": "one", "label": "a"}`+"\n")
	tests := []struct {
		name, path string
		want       []Example
		wantErr    string
	}{
		{name: "file", path: good, want: []Example{{"hi", "greet"}, {"", "oos"}}},
		{name: "prepare's test directory", path: filepath.Dir(good), want: []Example{{"hi", "greet"}, {"", "oos"}}},
		{name: "directory of jsonl in lexical order", path: filepath.Join(dir, "multi"), want: []Example{{"one", "a"}, {"two", "b"}}},
		{name: "no label", path: write("bad1.jsonl", `{"text": "a", "label": "x"}`+"\n"+`{"text": "hi"}`), wantErr: "bad1.jsonl line 2: want a string"},
		{name: "not JSON", path: write("bad2.jsonl", `text,label`), wantErr: "bad2.jsonl line 1:"},
		{name: "label not a string", path: write("bad3.jsonl", `{"text": "a", "label": 3}`), wantErr: "bad3.jsonl line 1:"},
		{name: "empty", path: write("empty.jsonl", "\n"), wantErr: "no examples"},
		{name: "empty directory", path: t.TempDir(), wantErr: "no data.jsonl or *.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTestSet(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("example %d: %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzSafeName checks that an archive name safeName accepts stays inside the
// extraction directory.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"bundle/manifest.json", "./a", "../a", "a/../../b", "/etc/passwd", `a\..\b`, "a//b/", ".", "..", "a/./b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := safeName(name)
		if err != nil || got == "" {
			return
		}
		if !filepath.IsLocal(filepath.FromSlash(got)) {
			t.Errorf("safeName(%q) = %q, which leaves the directory", name, got)
		}
	})
}
