package detect

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// fullEngine returns an engine persisting to a temporary directory whose
// state is at its bounds: DefaultMaxRecent event ids and as many alert ids,
// and sentinel.impersonation holding max_keys (defaultMaxKeys) users with
// a closed session each and max_pending (defaultMaxPending) held actions.
// That is the most Save has to write with the default configuration.
func fullEngine(tb testing.TB) *Engine {
	tb.Helper()
	e, err := New(Config{StateDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC).UnixNano()
	for i := range DefaultMaxRecent {
		e.events.seenKey(keyOf("event-"+strconv.Itoa(i)), t0+int64(i))
		e.alerts.seenKey(keyOf("alert-"+strconv.Itoa(i)), t0+int64(i))
	}
	imp := e.byID["sentinel.impersonation"].rule.(*impersonation)
	for i := range defaultMaxKeys {
		k := sessKey{V: strconv.Itoa(100_000 + i)}
		*imp.sessions.touch(k) = []impSession{{Start: t0 + int64(i), Stop: t0 + int64(i) + int64(time.Minute),
			Admin: "Administrator", AdminID: "1", AdminUser: "root", User: "user" + strconv.Itoa(i)}}
	}
	for i := range defaultMaxPending {
		raw := `{"severity":"INFO","time":"2024-06-10T09:00:00.000Z","author_id":` + strconv.Itoa(100_000+i) +
			`,"author_name":"User ` + strconv.Itoa(i) + `","entity_type":"Project","custom_message":"Changed visibility","impersonated_by":"Administrator"}`
		imp.pending.push(pendingEvent{Class: impAction, Seq: uint64(i + 1), Ev: &Event{
			Type: parser.TypeAudit, Time: time.Unix(0, t0+int64(i)).UTC(), Raw: raw, Source: "/var/log/gitlab/gitlab-rails/audit_json.log",
			FileID: "2049:131", Offset: int64(i) * 200, Host: "gitlab-1",
			Columns: []Column{{parser.ColAuthorID, strconv.Itoa(100_000 + i)}, {parser.ColAuthorName, "User " + strconv.Itoa(i)},
				{parser.ColCustomMessage, "Changed visibility"}, {parser.ColImpersonatedBy, "Administrator"}}}})
	}
	return e
}

// BenchmarkSaveFull measures Engine.Save (encoding, writing and fsyncing
// every file) with the state at its default bounds (fullEngine), and
// reports the bytes written per save. It takes a few seconds; run it
// alone:
//
//	go test -run '^$' -bench SaveFull -benchtime 3x ./internal/detect
func BenchmarkSaveFull(b *testing.B) {
	e := fullEngine(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Save(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(dirBytes(b, e.store.Dir())), "state-bytes")
}

// dirBytes sums the sizes of the files in dir.
func dirBytes(tb testing.TB, dir string) int64 {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, de := range ents {
		fi, err := os.Stat(filepath.Join(dir, de.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}
