package parser

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// render prints the outcome of parsing each line, one block per line.
func render(lines [][]byte, typ Type) string {
	var b strings.Builder
	var r Record
	for i, line := range lines {
		t := typ
		if t == TypeUnknown {
			t = Detect(line)
		}
		p := New(t)
		if p == nil {
			fmt.Fprintf(&b, "line %d: type unknown\n", i+1)
			continue
		}
		if err := p.Parse(line, &r); err != nil {
			fmt.Fprintf(&b, "line %d: %s error: %v\n", i+1, t, err)
			continue
		}
		fmt.Fprintf(&b, "line %d: %s time=%s\n%s", i+1, r.Type, r.Time.Format(time.RFC3339Nano), formatCols(recordCols(&r)))
	}
	return b.String()
}

// goldenInputs returns the bundled samples and the case files, each path
// with its type (TypeUnknown: typed line by line).
func goldenInputs() map[string]Type {
	inputs := map[string]Type{}
	for name, typ := range sampleFiles {
		inputs[filepath.Join("..", "testdata", name)] = typ
	}
	for name, typ := range caseFiles {
		inputs[filepath.Join("testdata", name)] = typ
	}
	return inputs
}

// TestGolden parses every bundled sample and every case file and compares
// the columns with testdata/<name>.golden. Run with -update to regenerate.
func TestGolden(t *testing.T) {
	for in, typ := range goldenInputs() {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			got := render(readFileLines(t, in), typ)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run go test -update after checking):\n%s", name, path, diffLines(string(want), got))
			}
		})
	}
}

// diffLines shows the first differing line.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, wl, gl)
		}
	}
	return ""
}
