package ortenv_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/testenv"
)

// TestFindOrder: --ort-lib, then $SLM_ORT_LIB, then next to the binary.
func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	flagLib := filepath.Join(dir, "flag.so")
	envLib := filepath.Join(dir, "env.so")
	for _, p := range []string{flagLib, envLib} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	besideLib := filepath.Join(filepath.Dir(exe), ortenv.LibraryNames[0])
	for _, tc := range []struct {
		name, flag, env string
		beside          bool
		want, says      string
	}{
		{name: "flag wins", flag: flagLib, env: envLib, beside: true, want: flagLib},
		{name: "environment next", env: envLib, beside: true, want: envLib},
		{name: "beside the binary last", beside: true, want: besideLib},
		{name: "nothing found", says: "pass --ort-lib PATH, set $SLM_ORT_LIB"},
		{name: "flag names a missing file", flag: filepath.Join(dir, "nope.so"), env: envLib, says: "from --ort-lib"},
		{name: "environment names a missing file", env: filepath.Join(dir, "nope.so"), says: "from $SLM_ORT_LIB"},
		{name: "flag names a directory", flag: dir, says: "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(ortenv.EnvVar, tc.env)
			if tc.beside {
				if err := os.WriteFile(besideLib, []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = os.Remove(besideLib) })
			}
			got, err := ortenv.Find(tc.flag)
			if tc.says != "" {
				if err == nil || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("got %q, %v; want an error saying %q", got, err, tc.says)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestInitOnce(t *testing.T) {
	lib := testenv.ORTLib(t)
	if err := ortenv.Init(lib); err != nil {
		t.Fatal(err)
	}
	if err := ortenv.Init(lib); err != nil {
		t.Fatalf("second Init with the same library: %v", err)
	}
	if ortenv.Version() == "" {
		t.Fatal("no version after Init")
	}
	if err := ortenv.Init(lib + ".other"); !errors.Is(err, ortenv.ErrOtherLibrary) {
		t.Fatalf("Init with another library: %v, want ErrOtherLibrary", err)
	}
}
