package detect

import (
	"testing"
	"unsafe"
)

// TestClonePatKey checks that the key patOverTime keeps shares no byte
// with the event's line it was read from, whichever of its strings is
// empty, and keeps their values.
func TestClonePatKey(t *testing.T) {
	line := "rootgroup/project"
	inLine := func(s string) bool {
		p, l := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(line)))
		return len(s) > 0 && p >= l && p < l+uintptr(len(line))
	}
	for _, k := range []patKey{
		{Author: line[:4], Path: line[4:], Day: 3},
		{Author: "", Path: line[4:], Day: 3},
		{Author: line[:4], Path: "", Day: 3},
		{},
	} {
		c := clonePatKey(k)
		if c != k {
			t.Errorf("clonePatKey(%+v) = %+v", k, c)
		}
		if inLine(c.Author) || inLine(c.Path) {
			t.Errorf("clonePatKey(%+v) shares the line's bytes", k)
		}
	}
	if n := testing.AllocsPerRun(100, func() { clonePatKey(patKey{Author: line[:4], Path: line[4:]}) }); n != 1 {
		t.Errorf("%v allocations for a key with both strings, want 1", n)
	}
}
