package parser

import (
	"strconv"
	"strings"
	"testing"
)

// metaLine returns a JSON line of the given log type with n distinct meta.*
// keys, followed by a repeat of the first one (which keeps its position and
// takes the last value).
func metaLine(typ Type, n int) []byte {
	var b strings.Builder
	switch typ {
	case TypeAudit:
		b.WriteString(`{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1`)
	case TypeAuth:
		b.WriteString(`{"severity":"ERROR","time":"2025-03-02T11:09:47.306Z","message":"Rack_Attack","env":"throttle"`)
	default:
		b.WriteString(`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"m"`)
	}
	for i := range n {
		b.WriteString(`,"meta.k` + strconv.Itoa(i) + `":"v` + strconv.Itoa(i) + `"`)
	}
	b.WriteString(`,"meta.k0":"last"}`)
	return []byte(b.String())
}

// metaParsers are the JSON parsers with meta.* columns and their scanner.
func metaParsers() []struct {
	typ Type
	p   Parser
	obj *jsonObj
} {
	au, ap, ah := new(Audit), new(Application), new(Auth)
	return []struct {
		typ Type
		p   Parser
		obj *jsonObj
	}{{TypeAudit, au, &au.obj}, {TypeApplication, ap, &ap.obj}, {TypeAuth, ah, &ah.obj}}
}

// TestMetaKeysLinear checks that the work of recording meta.* keys grows
// linearly with their number (it used to grow with its square: a line with
// 40,000 meta.* keys took seconds), and that the columns stay right.
func TestMetaKeysLinear(t *testing.T) {
	for _, tc := range metaParsers() {
		t.Run(tc.typ.String(), func(t *testing.T) {
			var r Record
			probes := func(n int) int {
				before := tc.obj.metaProbes
				if err := tc.p.Parse(metaLine(tc.typ, n), &r); err != nil {
					t.Fatal(err)
				}
				got := 0
				first := -1
				for i, f := range r.Fields {
					if strings.HasPrefix(f.Name, MetaPrefix) {
						got++
						if first < 0 {
							first = i
						}
					}
				}
				if got != n {
					t.Fatalf("%d meta.* keys: %d meta.* columns", n, got)
				}
				if f := r.Fields[first]; f.Name != "meta.k0" || string(f.Value) != "last" {
					t.Fatalf("%d meta.* keys: first meta column %s=%q, want meta.k0=\"last\"", n, f.Name, f.Value)
				}
				if f := r.Fields[len(r.Fields)-1]; f.Name != "meta.k"+strconv.Itoa(n-1) {
					t.Fatalf("%d meta.* keys: last column %s, want meta.k%d", n, f.Name, n-1)
				}
				return tc.obj.metaProbes - before
			}
			small, large := probes(1000), probes(8000)
			// Linear work is about 8 times as much for 8 times the keys;
			// quadratic work would be 64 times.
			if ratio := float64(large) / float64(small); ratio > 12 {
				t.Errorf("meta.* work: %d probes for 1000 keys, %d for 8000 (ratio %.1f, want about 8)", small, large, ratio)
			}
			// A short line after a long one is still right.
			for _, n := range []int{3, metaLinear + 5} {
				probes(n)
			}
		})
	}
}

// BenchmarkAuditManyMeta parses a line with 8,000 meta.* keys.
func BenchmarkAuditManyMeta(b *testing.B) {
	benchParse(b, new(Audit), metaLine(TypeAudit, 8000))
}
