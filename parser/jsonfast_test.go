package parser

import (
	"slices"
	"testing"
)

// walkBoth runs the fast walk and walk over line with the key table keys and
// fails t when the fast walk accepts the line but records anything walk does
// not. It reports whether the fast walk took the line.
func walkBoth(t *testing.T, keys *keyTable, line []byte) bool {
	t.Helper()
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	fast := jsonObj{keys: keys, line: line}
	fast.reset()
	end, ok := fast.walkFast(i, 1, srcTop)
	if !ok {
		return false
	}
	slow := jsonObj{keys: keys, line: line}
	slow.reset()
	slowEnd, err := slow.walk(i, 1, srcTop)
	switch {
	case err != nil:
		t.Fatalf("fast walk accepted %q, walk: %v", line, err.reason)
	case end != slowEnd:
		t.Fatalf("fast walk ended at %d, walk at %d: %q", end, slowEnd, line)
	case fast.slots != slow.slots:
		t.Fatalf("fast walk slots differ for %q:\n%+v\n%+v", line, fast.slots, slow.slots)
	case !slices.Equal(fast.meta, slow.meta):
		t.Fatalf("fast walk meta.* keys differ for %q:\n%+v\n%+v", line, fast.meta, slow.meta)
	}
	return true
}

// TestWalkFast checks the fast walk against walk on every sample and edge
// case, and that it takes the lines GitLab writes.
func TestWalkFast(t *testing.T) {
	for _, line := range differentialInputs(t) {
		for _, keys := range []*keyTable{appKeys, auditKeys, authKeys} {
			walkBoth(t, keys, line)
		}
	}
	for name, keys := range map[string]*keyTable{"audit_json.log": auditKeys, "application_json.log": appKeys, "auth_json.log": authKeys} {
		for _, line := range readLines(t, name) {
			if !walkBoth(t, keys, line) {
				t.Errorf("%s: fast walk gave up on %q", name, line)
			}
		}
	}
}

// FuzzWalkFast checks the fast walk against walk on arbitrary input.
func FuzzWalkFast(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, keys := range []*keyTable{appKeys, auditKeys, authKeys} {
			walkBoth(t, keys, line)
		}
	})
}
