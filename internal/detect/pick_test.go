package detect

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestPickerAgreesWithGet checks that a picker reads what Event.Get
// reads, name by name: the first column of a name, "" for a name absent,
// names of lengths shared with other columns, repeated names and a name
// longer than 63 bytes.
func TestPickerAgreesWithGet(t *testing.T) {
	long := "L" + string(make([]byte, 70))
	ev := &Event{Columns: []Column{
		{parser.ColCorrelationID, "cid"}, {parser.ColEventID, "1"}, {"EventIX", "x"},
		{parser.ColEventID, "2"}, {parser.ColAuthorName, ""}, {parser.ColAuthorName, "second"},
		{long, "long"}, {parser.ColIPAddress, "198.51.100.7"},
	}}
	for _, names := range [][]string{
		{parser.ColEventID},
		{parser.ColCorrelationID, parser.ColEventID, parser.ColAuthorName, parser.ColAuthorID},
		{long, parser.ColIPAddress, "EventIX", "Absent", parser.ColEventName, parser.ColEventID, parser.ColCorrelationID, parser.ColAuthorName},
		{},
	} {
		p := newPicker(names...)
		got := p.pick(ev)
		for i, n := range names {
			if want := ev.Get(n); got[i] != want {
				t.Errorf("names %q: %s = %q, want %q", names, n, got[i], want)
			}
		}
		for i := len(names); i < maxPick; i++ {
			if got[i] != "" {
				t.Errorf("names %q: value %d beyond the names = %q", names, i, got[i])
			}
		}
	}
	p := newPicker(parser.ColCorrelationID, parser.ColEventID)
	if n := testing.AllocsPerRun(100, func() { p.pick(ev) }); n != 0 {
		t.Errorf("pick allocates %v times", n)
	}
}

// BenchmarkPick compares a picker with one Event.Get per name, each
// through the event's index and by searching its columns, on the
// realistic audit mix's most common wanted line (a password sign-in) and
// the names sentinel.local_auth_no_mfa reads of it.
func BenchmarkPick(b *testing.B) {
	var rec parser.Record
	raw := []byte(wantCases[5].line)
	if err := parser.New(parser.TypeAudit).Parse(raw, &rec); err != nil {
		b.Fatal(err)
	}
	ev := NewEvent(&rec, raw, "audit_json.log", OriginFile)
	names := []string{parser.ColCorrelationID, parser.ColAuthenticationType, parser.ColEventName,
		parser.ColEventID, parser.ColAuthorID, parser.ColAuthorName}
	p := newPicker(names...)
	scanned := ev.Clone()
	scanned.DropIndex()
	getAll := func(ev *Event) (v [maxPick]string) {
		for i, name := range names {
			v[i] = ev.Get(name)
		}
		return v
	}
	benchReads(b, "picker", func() [maxPick]string { return p.pick(ev) })
	benchReads(b, "picker-search", func() [maxPick]string { return p.pick(scanned) })
	benchReads(b, "get-search", func() [maxPick]string { return getAll(scanned) })
	benchReads(b, "get", func() [maxPick]string { return getAll(ev) })
}

// benchReads runs read as the sub-benchmark name, failing it when read
// finds neither the first nor the sixth name's value.
func benchReads(b *testing.B, name string, read func() [maxPick]string) {
	b.Run(name, func(b *testing.B) {
		n := 0
		for b.Loop() {
			v := read()
			n += len(v[0]) + len(v[5])
		}
		if n == 0 {
			b.Fatal("nothing read")
		}
	})
}

// BenchmarkPickCold reads columns of many audit events in turn (made in
// arenas from the sample audit log, about 100 MB: not in the cache, as on
// the engine's goroutine, which reads an event after the parse worker
// made it), through their indexes and by searching their columns: the
// dedupe identity's columns (pick) and those sentinel.impersonation reads
// of a held event (Get).
func BenchmarkPickCold(b *testing.B) {
	lines := readLines(b, "../../testdata/audit_json.log")
	var rec parser.Record
	p := parser.New(parser.TypeAudit)
	var arena EventArena
	evs := make([]*Event, 0, 100_000)
	for len(evs) < cap(evs) {
		for _, line := range lines {
			if p.Parse(line, &rec) == nil && len(evs) < cap(evs) {
				evs = append(evs, arena.New(&rec, line, false))
			}
		}
	}
	getNames := []string{parser.ColAuthorID, "meta.user", parser.ColImpersonatedBy, parser.ColCorrelationID, "meta.user_id"}
	for _, indexed := range []bool{true, false} {
		if !indexed {
			for _, ev := range evs {
				ev.DropIndex()
			}
		}
		name := map[bool]string{true: "index", false: "search"}[indexed]
		get := func(ev *Event) (n int) {
			for _, name := range getNames {
				n += len(ev.Get(name))
			}
			return n
		}
		pick := func(ev *Event) int { return len(dupPicker.pick(ev)[0]) }
		for _, c := range []struct {
			op string
			fn func(*Event) int
		}{{"pick", pick}, {"get", get}} {
			b.Run(c.op+"/"+name, func(b *testing.B) {
				n := 0
				for _, ev := range evs[:len(lines)] { // the lines of the file once: some have what is read
					n += c.fn(ev)
				}
				if n == 0 {
					b.Fatalf("%s: nothing read of the events of %d lines", c.op, len(lines))
				}
				for i := 0; b.Loop(); i++ {
					n += c.fn(evs[i%len(evs)])
				}
			})
		}
	}
}
