package detect

import (
	"strings"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Origin says how a line reached the agent.
type Origin uint8

// The origins.
const (
	OriginFile   Origin = iota + 1 // a followed log file (or a file given to detect)
	OriginStream                   // an Audit Event Streaming body received over HTTP
	OriginInput                    // a message from a node agent, received by a network input
)

// String returns "file", "stream", "input" or "unknown".
func (o Origin) String() string {
	switch o {
	case OriginInput:
		return "input"
	case OriginFile:
		return "file"
	case OriginStream:
		return "stream"
	}
	return "unknown"
}

// Column is one named value: a record column (names from parser/columns.go,
// as the Sentinel functions name them) or an alert column.
type Column struct {
	Name  string
	Value string
}

// Event is an owned copy of what rules need of one parsed line. Unlike a
// parser.Record, nothing in an Event aliases the line or the parser's
// buffers, so rules may keep an *Event (or its strings) after Observe
// returns. An Event is never modified after it is passed to Engine.Process.
type Event struct {
	// Type is the log the line was parsed as.
	Type parser.Type
	// Time is the event time as an instant in UTC (parser.Record.Time); the
	// zero Time when the line has none.
	Time time.Time
	// Columns are the record's non-empty columns in record order, plus any
	// enrichment the agent added (City, Country, ... from GeoIP).
	Columns []Column
	// Raw is the line as read, without its newline.
	Raw string
	// Source names where the line came from: the file path, or "stream".
	Source string
	// Origin is OriginFile, OriginStream or OriginInput.
	Origin Origin
	// FileID identifies the file the line was read from (the tailer's file
	// identity, e.g. "dev:inode"); "" for streamed events. With Offset it
	// lets the engine skip lines a restart delivers again: a line at or
	// below the offset the restored snapshot records for this source and
	// file identity is not folded twice.
	FileID string
	// Offset is the byte offset of the line's first byte in the file.
	Offset int64
	// Host is the node the line was read on: the agent's hostname, or
	// for OriginInput the HOSTNAME of the received message. Alerts on
	// input events name their nodes (Alert.Nodes).
	Host string
	// Rules is the set of rules that want the line, as Engine.WantRules
	// computed it from the record the event was filled from; the zero
	// RuleSet (no set) makes Process derive it from the columns. It is
	// not saved: a restored event has none.
	Rules RuleSet `json:"-"`
}

// Get returns the value of column col, or "" when the event has none. It
// does not allocate.
func (e *Event) Get(col string) string {
	for i := range e.Columns {
		if e.Columns[i].Name == col {
			return e.Columns[i].Value
		}
	}
	return ""
}

// Has reports whether the event has a non-empty column col.
func (e *Event) Has(col string) bool { return e.Get(col) != "" }

// Fill sets e's Type, Time, Columns and Raw from a parsed record and its
// line, copying every value: the raw line and the values that are not a
// part of it share one string allocation (a value that is a part of raw
// points into the copy of raw), plus one for the Columns slice, sized at
// once (reused when e is reused before being handed to Process and large
// enough). extra columns (GeoIP enrichment) are appended after the
// record's. Source, Origin, FileID, Offset and Host are
// left for the caller to set.
func (e *Event) Fill(rec *parser.Record, raw []byte, extra ...parser.Field) {
	// One string holds raw and, after it, the values that are not a part
	// of raw (unescaped JSON strings, the GeoIP columns); a value that is
	// a part of raw (most) is a part of the string's copy of it.
	n := len(raw)
	for i := range rec.Fields {
		if _, in := partOf(raw, rec.Fields[i].Value); !in {
			n += len(rec.Fields[i].Value)
		}
	}
	for i := range extra {
		n += len(extra[i].Value)
	}
	var b strings.Builder
	b.Grow(n)
	b.Write(raw)
	for i := range rec.Fields {
		if _, in := partOf(raw, rec.Fields[i].Value); !in {
			b.Write(rec.Fields[i].Value)
		}
	}
	for i := range extra {
		b.Write(extra[i].Value)
	}
	s := b.String()
	e.Type = rec.Type
	e.Time = rec.Time
	e.Raw = s[:len(raw)]
	off := len(raw)
	if need := len(rec.Fields) + len(extra); cap(e.Columns) < need {
		e.Columns = make([]Column, 0, need)
	}
	e.Columns = e.Columns[:0]
	for i, fs := range [][]parser.Field{rec.Fields, extra} {
		for j := range fs {
			v := fs[j].Value
			if at, in := partOf(raw, v); in && i == 0 {
				e.Columns = append(e.Columns, Column{Name: fs[j].Name, Value: s[at : at+len(v)]})
				continue
			}
			e.Columns = append(e.Columns, Column{Name: fs[j].Name, Value: s[off : off+len(v)]})
			off += len(v)
		}
	}
}

// partOf reports whether v is a non-empty part of raw, and where in raw it
// starts.
func partOf(raw, v []byte) (int, bool) {
	if len(v) == 0 || len(raw) == 0 {
		return 0, false
	}
	at := uintptr(unsafe.Pointer(unsafe.SliceData(v))) - uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	if at >= uintptr(len(raw)) || uintptr(len(v)) > uintptr(len(raw))-at {
		return 0, false
	}
	return int(at), true
}

// NewEvent returns a new Event filled from rec and raw (see Fill) with the
// given source description.
func NewEvent(rec *parser.Record, raw []byte, source string, origin Origin) *Event {
	e := AllocEvent(len(rec.Fields))
	e.Source, e.Origin = source, origin
	e.Fill(rec, raw)
	return e
}

// AllocEvent returns a new zero Event whose Columns is empty with room
// for n columns (what Fill needs: the record's fields plus the extra
// columns). Up to 59 columns, the Columns array is allocated together
// with the Event, in one piece of memory: one allocation instead of two.
func AllocEvent(n int) *Event {
	// Each length fills a size class of the allocator (with its 8-byte
	// header): no more room is left unused than by two allocations.
	switch {
	case n <= 7:
		return allocEvent[[7]Column]()
	case n <= 9:
		return allocEvent[[9]Column]()
	case n <= 11:
		return allocEvent[[11]Column]()
	case n <= 13:
		return allocEvent[[13]Column]()
	case n <= 15:
		return allocEvent[[15]Column]()
	case n <= 17:
		return allocEvent[[17]Column]()
	case n <= 19:
		return allocEvent[[19]Column]()
	case n <= 23:
		return allocEvent[[23]Column]()
	case n <= 27:
		return allocEvent[[27]Column]()
	case n <= 31:
		return allocEvent[[31]Column]()
	case n <= 35:
		return allocEvent[[35]Column]()
	case n <= 39:
		return allocEvent[[39]Column]()
	case n <= 43:
		return allocEvent[[43]Column]()
	case n <= 51:
		return allocEvent[[51]Column]()
	case n <= 59:
		return allocEvent[[59]Column]()
	}
	return &Event{Columns: make([]Column, 0, n)}
}

// allocEvent allocates an Event and the array A of columns after it, and
// sets the Event's Columns to the array, empty.
func allocEvent[A any]() *Event {
	p := new(struct {
		ev   Event
		cols A
	})
	cols := unsafe.Slice((*Column)(unsafe.Pointer(&p.cols)), unsafe.Sizeof(p.cols)/unsafe.Sizeof(Column{}))
	p.ev.Columns = cols[:0]
	return &p.ev
}

// CoarseTime reports whether the event's time has minute precision and no
// zone: the long-date form of the text application.log before 15.11
// ("October 06, 2014 11:56"), read as UTC. Alerts on such events say so
// (the TimePrecision column), as their window placement may be off by up
// to a minute and by the server's zone offset.
func (e *Event) CoarseTime() bool {
	v := e.Get(parser.ColEventTime)
	return e.Type == parser.TypeApplication && v != "" && (v[0] < '0' || v[0] > '9')
}

// eventTime returns the instant GitLab recorded for the event: CreatedAt
// when present and readable (the same in audit_json.log and in streamed
// bodies), else Time. It is the time component of the dedupe identity.
func (e *Event) eventTime() time.Time {
	if v := e.Get(parser.ColCreatedAt); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
	}
	return e.Time
}
