package parser

import (
	"strings"
	"testing"
)

// TestKeyTable checks that match finds each key of each table in place, at
// the end of a line too, and nothing else: not a prefix, an extension, a
// key with an escape, or a key that runs into the end of the line.
func TestKeyTable(t *testing.T) {
	tables := map[string]*keyTable{"app": appKeys, "audit": auditKeys, "auth": authKeys}
	for name, tab := range tables {
		n := 0
		for _, e := range tab.e {
			if e.key == "" {
				continue
			}
			n++
			for _, line := range []string{`{"` + e.key + `":"v"}`, `{"` + e.key + `"`, `{"` + e.key + `":1,"x":2}`} {
				act, ke := tab.match([]byte(line), 2)
				if len(line) < 2+8 {
					if ke != -1 {
						t.Errorf("%s: match(%q) = %d, %d on a line too short to read a word", name, line, act, ke)
					}
				} else if act != e.action || ke != 2+len(e.key) {
					t.Errorf("%s: match(%q) = %d, %d, want %d, %d", name, line, act, ke, e.action, 2+len(e.key))
				}
			}
			if got := tab.find([]byte(e.key)); got != e.action {
				t.Errorf("%s: find(%q) = %d, want %d", name, e.key, got, e.action)
			}
			others := []string{e.key[:len(e.key)-1], e.key + "x", e.key + " ", "x" + e.key,
				e.key[:len(e.key)-1] + `\` + e.key[len(e.key)-1:], strings.ToUpper(e.key)}
			for _, i := range []int{0, 7, 8, 12, 16, 20, len(e.key) - 1} {
				if i < len(e.key) { // the same key but one byte
					others = append(others, e.key[:i]+"#"+e.key[i+1:])
				}
			}
			for _, other := range others {
				want := actNone
				for _, f := range tab.e {
					if f.key == other {
						want = f.action
					}
				}
				line := `{"` + other + `":"value","more":1}`
				if act, ke := tab.match([]byte(line), 2); act != want || (want == actNone) != (ke < 0) {
					t.Errorf("%s: match(%q) = %d, %d, want %d", name, line, act, ke, want)
				}
				if act := tab.find([]byte(other)); act != want {
					t.Errorf("%s: find(%q) = %d, want %d", name, other, act, want)
				}
			}
		}
		if n == 0 || n > keyTableSize/3 {
			t.Errorf("%s: %d keys, want 1 to %d", name, n, keyTableSize/3)
		}
	}
}
