package mapping

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestTypeTallyMismatch: another type is named only when no line parsed
// unmarked and more than half of the lines look like it or parsed marked
// as it; NoGitLab only when no line parsed or looks like any type.
func TestTypeTallyMismatch(t *testing.T) {
	A, P, H, U := parser.TypeAudit, parser.TypeApplication, parser.TypeAuth, parser.TypeUnknown
	for _, tc := range []struct {
		name   string
		parsed int
		marked []parser.Type // lines that parsed, marked as another type
		looks  []parser.Type
		want   parser.Type
		k      int
		none   bool // NoGitLab
	}{
		{"all parsed, marked as auth", 0, []parser.Type{H, H, H}, nil, H, 3, false},
		{"parsed marked and unparsed lines of one type", 0, []parser.Type{H}, []parser.Type{H, U}, H, 2, false},
		{"one parsed unmarked among marked", 1, []parser.Type{H, H, H}, nil, U, 0, false},
		{"marked as two types, neither more than half", 0, []parser.Type{H, H, P, P}, nil, U, 0, false},
		{"none counted", 0, nil, nil, U, 0, false},
		{"all look like application", 0, nil, []parser.Type{P, P, P}, P, 3, false},
		{"one parsed", 1, nil, []parser.Type{P, P, P}, U, 0, false},
		{"half is not more than half", 0, nil, []parser.Type{P, U}, U, 0, false},
		{"the given type does not count", 0, nil, []parser.Type{A, A, A}, U, 0, false},
		{"unknown lines do not count", 0, nil, []parser.Type{U, U, P}, U, 0, false},
		{"no line of any GitLab log", 0, nil, []parser.Type{U, U, U}, U, 0, true},
		{"one parsed among unknown lines", 1, nil, []parser.Type{U, U}, U, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tally TypeTally
			for range tc.parsed {
				tally.Add(true, U)
			}
			for _, m := range tc.marked {
				tally.Add(true, m)
			}
			for _, l := range tc.looks {
				tally.Add(false, l)
			}
			if got, k := tally.Mismatch(A); got != tc.want || k != tc.k {
				t.Errorf("Mismatch(audit) = %v, %d; want %v, %d", got, k, tc.want, tc.k)
			}
			if got := tally.NoGitLab(); got != tc.none {
				t.Errorf("NoGitLab() = %v, want %v", got, tc.none)
			}
		})
	}
}

// TestMarked: a line that parsed as one type is marked as another only by
// that type's own keys (audit keys; Rack::Attack's message or the
// throttle allowlist), never by an application line's severity and time,
// which auth_json.log lines carry too.
func TestMarked(t *testing.T) {
	const (
		audit    = `{"severity":"INFO","time":"2024-05-01T10:00:00.000Z","author_id":1,"entity_type":"User","entity_id":1}`
		rack     = `{"severity":"ERROR","time":"2024-05-01T10:00:00.000Z","message":"Rack_Attack","env":"throttle","remote_ip":"203.0.113.7"}`
		app      = `{"severity":"INFO","time":"2024-05-01T10:00:00.000Z","message":"Successful Login: username=root"}`
		authHook = `{"severity":"ERROR","time":"2024-05-01T10:00:00.000Z","message":"GitLab is in silent mode","hook_id":3}`
	)
	for _, tc := range []struct {
		line string
		as   parser.Type
		want parser.Type
	}{
		{audit, parser.TypeAuth, parser.TypeAudit},
		{audit, parser.TypeApplication, parser.TypeAudit},
		{audit, parser.TypeAudit, parser.TypeUnknown},
		{rack, parser.TypeApplication, parser.TypeAuth},
		{rack, parser.TypeAudit, parser.TypeAuth},
		{rack, parser.TypeAuth, parser.TypeUnknown},
		{app, parser.TypeAuth, parser.TypeUnknown},
		{authHook, parser.TypeAuth, parser.TypeUnknown},
		{app, parser.TypeAudit, parser.TypeUnknown},
	} {
		if got := Marked([]byte(tc.line), tc.as); got != tc.want {
			t.Errorf("Marked(%.60s…, %v) = %v, want %v", tc.line, tc.as, got, tc.want)
		}
	}
}

// TestDroppedTallyBare: a type is named only when more than half of the
// lines read were dropped looking like it; lines of no GitLab log do not
// count.
func TestDroppedTallyBare(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-01T10:00:00.000Z","correlation_id":"c","author_id":1,"entity_type":"User","target_details":"x"}`
	access := `203.0.113.7 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.0"`
	for _, tc := range []struct {
		name    string
		read    int
		dropped []string
		want    parser.Type
		n       int
	}{
		{"none read", 0, nil, parser.TypeUnknown, 0},
		{"all dropped audit lines", 3, []string{audit, audit, audit}, parser.TypeAudit, 3},
		{"half is not more than half", 4, []string{audit, audit}, parser.TypeUnknown, 0},
		{"more than half", 3, []string{audit, audit}, parser.TypeAudit, 2},
		{"mixed types", 4, []string{audit, audit, access, access}, parser.TypeUnknown, 0},
		{"no GitLab log", 3, []string{"hello", "world", "again"}, parser.TypeUnknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tally DroppedTally
			for _, l := range tc.dropped {
				tally.Add([]byte(l))
			}
			if got, n := tally.Bare(tc.read); got != tc.want || n != tc.n {
				t.Errorf("Bare(%d) = %v, %d; want %v, %d", tc.read, got, n, tc.want, tc.n)
			}
		})
	}
}
