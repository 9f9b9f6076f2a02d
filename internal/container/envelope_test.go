package container

import (
	"strings"
	"testing"
)

// TestSubcomponentOf: the subcomponent of the envelope a line's first
// parts begin is found before the message, with the logger's spacing;
// parts that begin no envelope, or whose key is further than
// subcomponentReach, give none.
func TestSubcomponentOf(t *testing.T) {
	for _, tc := range []struct{ p, want string }{
		{`{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","message":{"sever`, "audit_json"},
		{` {"subcomponent": "auth_json"`, "auth_json"},
		{`{"date":"2024-05-01T12:00:00Z","compo`, ""},
		{`panic: runtime error "subcomponent":"audit_json"`, ""},
		{`{"subcomponent":"audit_json`, ""},
		{`{"x":"` + strings.Repeat("y", subcomponentReach) + `","subcomponent":"audit_json"}`, ""},
	} {
		if got := string(SubcomponentOf([]byte(tc.p))); got != tc.want {
			t.Errorf("SubcomponentOf(%.60q) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
