package detect

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// BenchmarkLocalAuthSide measures sentinel.local_auth_no_mfa on the
// realistic audit mix's most common wanted line, a password sign-in with
// its own CorrelationID: Observe holds it for the join, and Advance (each
// new second, 50 lines apart as in the mix) lets it go after the join
// window. ns/op is per line.
func BenchmarkLocalAuthSide(b *testing.B) {
	const n = 16384 // 328 s of lines: a CorrelationID comes again only after its window
	var evs []*Event
	t0 := time.Date(2024, 5, 10, 17, 46, 49, 0, time.UTC)
	p := parser.New(parser.TypeAudit)
	for i := range n {
		line := strings.Replace(wantCases[5].line, "01HXHSTQ5A02PJVVW2H8FZZ77A", "01HXHSTQ5A02PJVVW2H"+strconv.Itoa(100000+i), 1)
		var rec parser.Record
		if err := p.Parse([]byte(line), &rec); err != nil {
			b.Fatal(err)
		}
		evs = append(evs, NewEvent(&rec, []byte(line), "audit_json.log", OriginFile))
	}
	r, err := newLocalAuth(NewParams("sentinel.local_auth_no_mfa", nil, nil), nil)
	if err != nil {
		b.Fatal(err)
	}
	emit := func(*Alert) {}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := evs[i%n]
		ev.Time = t0.Add(time.Duration(i) * 20 * time.Millisecond)
		r.Observe(ev, time.Now, emit)
		if i%50 == 0 {
			r.Advance(ev.Time.Add(-DefaultLateness), emit)
		}
		i++
	}
}
