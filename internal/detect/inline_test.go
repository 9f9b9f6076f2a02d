package detect

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestColReadsInline checks that the readers of a parsed record's columns
// on the Want path inline parser.Record.Col or ColAt (no call per
// column): evalRecord and recCol in dispatch_legacy.go, colTable.value in
// dispatch.go, the lineView's reads in filter.go, and recCol itself into
// impersonation.wantRecord and markedRecord (every column they read). It builds the
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
	want := map[string]int{
		"dispatch_legacy.go parser.(*Record).Col":   1,
		"dispatch_legacy.go parser.(*Record).ColAt": 1,
		"dispatch.go parser.(*Record).Col":          1,
		"filter.go parser.(*Record).Col":            1,
		"rule_impersonation_watch.go recCol":        5,
	}
	got := map[string]int{}
	re := regexp.MustCompile(`(?m)^(?:.*/)?(\w+\.go):\d+:\d+: inlining call to (parser\.\(\*Record\)\.ColA?t?|recCol)$`)
	for _, m := range re.FindAllSubmatch(out, -1) {
		got[string(m[1])+" "+string(m[2])]++
	}
	for site, n := range want {
		if got[site] < n {
			t.Errorf("%s: inlined at %d sites, want %d", site, got[site], n)
		}
	}
}
