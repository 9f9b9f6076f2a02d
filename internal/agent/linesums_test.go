package agent

import (
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestLineSumsRecordNoAlloc: lineSums.record hashes the hint columns of a
// parsed line without allocating, whatever their length: an attacker
// chooses the user names of failed sign-ins, and a copy of a value over
// 32 bytes would allocate on every such line.
func TestLineSumsRecordNoAlloc(t *testing.T) {
	user := strings.Repeat("u", 200)
	line := []byte(`{"severity":"INFO","time":"2025-03-04T12:00:00.000Z","meta.user":"` + user + `","author_id":"` + strings.Repeat("7", 64) + `","entity_id":1,"entity_type":"User","event_name":"user_logged_in"}`)
	var rec parser.Record
	if err := new(parser.Audit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	var ls lineSums
	ls.cols[parser.TypeAudit] = []string{parser.ColAuthorID, "meta.user"}
	for k, name := range ls.cols[parser.TypeAudit] {
		ls.ids[parser.TypeAudit][k] = parser.NumColIDs
		if id, ok := parser.ColIDOf(name); ok {
			ls.ids[parser.TypeAudit][k] = id
		}
	}
	ls.sums = make([]uint64, 1)
	if n := testing.AllocsPerRun(100, func() { ls.record(0, &rec) }); n != 0 {
		t.Errorf("record: %v allocations per line, want 0", n)
	}
	want := uint64(detect.HintSum(strings.Repeat("7", 64))) | uint64(detect.HintSum(user))<<32
	if ls.sums[0] != want {
		t.Errorf("sums %#x, want %#x (HintSum of AuthorID, then of meta.user)", ls.sums[0], want)
	}
}
