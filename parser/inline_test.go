package parser

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestColInlines checks that the compiler inlines the column accessors
// (Record.Col, ColIDs, ColAt, ColID.Name), so that reading a column costs no
// call: Col is near the inliner's budget, and a change that pushes it
// over would make every caller slower without failing anything else.
// It builds the package with -gcflags=-m and skips where the go command
// is missing and in -short runs.
func TestColInlines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(gobin, "build", "-gcflags=-m", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	for _, fn := range []string{"(*Record).Col", "(*Record).ColIDs", "(*Record).ColAt", "ColID.Name"} {
		if !regexp.MustCompile(`(?m): can inline ` + regexp.QuoteMeta(fn) + `$`).Match(out) {
			t.Errorf("%s does not inline (go build -gcflags=-m=2 says why)", fn)
		}
	}
}
