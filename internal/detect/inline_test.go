package detect

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestColReadsInline checks that the readers of a parsed record's columns
// on the Want path inline parser.Record.Col (no call per column):
// evalRecord and colValue in dispatch_legacy.go, colTable.value in
// dispatch.go, and the lineView's reads in filter.go. It builds the
// package with -gcflags=-m and skips where the go command is missing and
// in -short runs.
func TestColReadsInline(t *testing.T) {
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
	want := map[string]int{"dispatch_legacy.go": 2, "dispatch.go": 1, "filter.go": 1}
	got := map[string]int{}
	re := regexp.MustCompile(`(?m)^(?:.*/)?(\w+\.go):\d+:\d+: inlining call to parser\.\(\*Record\)\.Col$`)
	for _, m := range re.FindAllSubmatch(out, -1) {
		got[string(m[1])]++
	}
	for file, n := range want {
		if got[file] < n {
			t.Errorf("%s inlines parser.(*Record).Col at %d sites, want %d", file, got[file], n)
		}
	}
}
