package config

import (
	"errors"
	"testing"
)

// TestSortErrors: the errors are listed by the line of the file they
// name, nested joins flattened; those naming no line of it (a flag's,
// another file's) first in their order, each line's in their order; an
// error repeated word for word once.
func TestSortErrors(t *testing.T) {
	err := errors.Join(
		errors.New("c.yaml:12: detections.rules.x: unknown rule"),
		errors.Join(errors.New("c.yaml:2: start_at: bad"), errors.New("--to: bad")),
		errors.New("c.yaml:9: a"),
		errors.New("rule r: ti.txt:1: not an address"),
		errors.New("c.yaml:9: b"),
		errors.New("c.yaml:2: start_at: bad"),
		errors.New("c.yaml: sources: none"),
	)
	want := "--to: bad\nrule r: ti.txt:1: not an address\nc.yaml: sources: none\n" +
		"c.yaml:2: start_at: bad\nc.yaml:9: a\nc.yaml:9: b\nc.yaml:12: detections.rules.x: unknown rule"
	if got := SortErrors(err, "c.yaml"); got == nil || got.Error() != want {
		t.Errorf("SortErrors:\n%v\nwant\n%s", got, want)
	}
	if SortErrors(nil, "c.yaml") != nil {
		t.Error("SortErrors(nil) is not nil")
	}
}
