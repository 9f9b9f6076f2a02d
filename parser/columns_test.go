package parser

import (
	"slices"
	"strings"
	"testing"
)

// TestColumnsCoverOutput checks that every column the parsers emit for the
// samples (other than meta.* keys) is listed by Columns, in Columns' order.
func TestColumnsCoverOutput(t *testing.T) {
	for name, typ := range sampleFiles {
		if typ == TypeUnknown {
			continue
		}
		cols := Columns(typ)
		p := New(typ)
		var r Record
		for _, line := range readLines(t, name) {
			if err := p.Parse(line, &r); err != nil {
				t.Fatal(err)
			}
			last := -1
			for _, f := range r.Fields {
				if strings.HasPrefix(f.Name, "meta.") {
					last = len(cols)
					continue
				}
				i := slices.Index(cols, f.Name)
				if i < 0 {
					t.Errorf("%s: column %s not in Columns(%s)", name, f.Name, typ)
				}
				if i <= last {
					t.Errorf("%s: column %s out of order in %q", name, f.Name, line)
				}
				last = i
			}
		}
	}
	if Columns(TypeUnknown) != nil {
		t.Error("Columns(TypeUnknown) is not nil")
	}
}
