// Package defchecktest lets tests assert that an emitted SageMaker pipeline definition passes
// defcheck.
package defchecktest

import (
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/sagemaker/defcheck"
)

// MustPass fails the test, listing every problem, unless def passes defcheck. It compiles the
// schema on each call (a few milliseconds); a test checking many definitions can hold a
// defcheck.Checker and call MustPassWith.
func MustPass(t testing.TB, def []byte) {
	t.Helper()
	c, err := defcheck.New()
	if err != nil {
		t.Fatalf("defcheck: %v", err)
		return
	}
	MustPassWith(t, c, def)
}

// MustPassWith is MustPass with a Checker the caller keeps.
func MustPassWith(t testing.TB, c *defcheck.Checker, def []byte) {
	t.Helper()
	problems := c.Check(def)
	if len(problems) == 0 {
		return
	}
	var b strings.Builder
	for _, p := range problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	t.Fatalf("the pipeline definition does not pass defcheck (%d problems):%s", len(problems), b.String())
}
