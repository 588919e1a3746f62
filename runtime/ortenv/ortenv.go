// Package ortenv finds the ONNX Runtime shared library and initialises the
// process-wide ONNX Runtime environment that every session shares.
package ortenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// EnvVar names the environment variable that points at the library.
const EnvVar = "SLM_ORT_LIB"

// LibraryNames are the file names looked for next to the binary, in order.
var LibraryNames = []string{"libonnxruntime.so.1", "libonnxruntime.so"}

// Find resolves the ONNX Runtime library: flagValue when set, then $SLM_ORT_LIB,
// then a library next to the running binary. The file must exist.
func Find(flagValue string) (string, error) {
	if flagValue != "" {
		return existing(flagValue, "--ort-lib")
	}
	if env := os.Getenv(EnvVar); env != "" {
		return existing(env, "$"+EnvVar)
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find ONNX Runtime: no --ort-lib or $%s, and the binary's path is unknown: %w", EnvVar, err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	dir := filepath.Dir(exe)
	for _, name := range LibraryNames {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("find ONNX Runtime: pass --ort-lib PATH, set $%s, or put %s next to %s", EnvVar, LibraryNames[0], exe)
}

func existing(path, from string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("ONNX Runtime library from %s: %w", from, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("ONNX Runtime library from %s: %s is not a regular file", from, path)
	}
	return filepath.Abs(path)
}

// env is the one ONNX Runtime environment of the process. ONNX Runtime allows
// exactly one per process and onnxruntime_go keeps it in package state, so
// this is the one piece of process-wide state the runtime has.
var env struct {
	mu   sync.Mutex
	path string
}

// ErrOtherLibrary is returned when Init is asked for a second, different library.
var ErrOtherLibrary = errors.New("ONNX Runtime is already initialised from another library")

// Init loads the library at path and creates the environment. Calling it again
// with the same path is a no-op, so every classifier may call it.
func Init(path string) error {
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.path != "" {
		if env.path == path {
			return nil
		}
		return fmt.Errorf("%w: have %s, asked for %s", ErrOtherLibrary, env.path, path)
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("initialise ONNX Runtime from %s: %w", path, err)
	}
	env.path = path
	return nil
}

// Version is the loaded ONNX Runtime's version, or "" before Init.
func Version() string {
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.path == "" {
		return ""
	}
	return ort.GetVersion()
}
