package agent

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestCopiesApartLogged: in run, text events of application.log whose
// JSON copy was written more than 2 ms later (counted twice:
// detect.Stats.CopiesApart) are logged once with the count and what to
// do, then not again until the count grows and the pacing interval has
// passed; flush at shutdown logs the ones held back. Copies 1 ms apart are
// not logged.
func TestCopiesApartLogged(t *testing.T) {
	const msg = "Failed Login: username=bob ip=198.51.100.7"
	t0 := time.Date(2025, 5, 12, 14, 0, 0, 100e6, time.UTC)
	line := func(i int, apart time.Duration) (text, json string) {
		at := t0.Add(time.Duration(i) * time.Minute)
		return fmt.Sprintf("%s: %s", at.Format("2006-01-02T15:04:05.000Z"), msg),
			fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"c%d","message":%q}`, at.Add(apart).Format("2006-01-02T15:04:05.000Z"), i, msg)
	}
	e, err := detect.New(detect.Config{Only: []string{"sentinel.bruteforce"}, Emit: func(*detect.Alert) {}})
	if err != nil {
		t.Fatal(err)
	}
	p := parser.New(parser.TypeApplication)
	var rec parser.Record
	fold := func(l string) {
		t.Helper()
		if err := p.Parse([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		e.Process(detect.NewEvent(&rec, []byte(l), "application.log", detect.OriginFile))
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var l lossLog
	const warning = "application_json.log written more than 2 ms later"
	for i, apart := range []time.Duration{time.Millisecond, 400 * time.Millisecond, 300 * time.Millisecond} {
		text, json := line(i, apart)
		fold(text)
		fold(json)
		l.check(log, e, "application.log")
		if i == 0 && strings.Contains(logs.String(), warning) {
			t.Fatalf("copies 1 ms apart logged:\n%s", logs.String())
		}
	}
	// The text events wait for their copies 1 s of log time: the last
	// minute's is still held.
	if n := strings.Count(logs.String(), warning); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "counted_twice_total=1 ") || !strings.Contains(logs.String(), "remove application.log from sources") {
		t.Errorf("want the count and the advice in:\n%s", logs.String())
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	l.check(log, e, "application.log") // paced: within parseLogInterval of the first
	if n := strings.Count(logs.String(), warning); n != 1 {
		t.Fatalf("%d warnings before the flush, want 1:\n%s", n, logs.String())
	}
	l.flush(log, e)
	if n := strings.Count(logs.String(), warning); n != 2 || !strings.Contains(logs.String(), "counted_twice_since_last=1 counted_twice_total=2") {
		t.Errorf("want a second warning with the one held back at the flush:\n%s", logs.String())
	}
}
