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
