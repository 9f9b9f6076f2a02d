package detect

import (
	"bytes"
	"slices"
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

// Event is what rules need of one parsed line.
//
// Ownership: an Event passed to Engine.Process is valid only during that
// call. The caller may reuse its storage afterwards: the Event itself, its
// Columns, Raw and every column value (EventArena does, for the agent's
// batches). Neither the engine, nor a rule, nor an Emit may keep the
// *Event, its Columns or any string of it (Raw, a column value) once
// Process returns; what must outlive the call is copied (Event.Clone for
// a whole event, strings.Clone for a value). Column names, Source, FileID
// and Host are the exception: the caller never builds them in reused
// storage (they are the parser's column names and the caller's strings
// per source, file and node), so they may be kept. An event made by
// NewEvent or Clone owns all of its storage: nothing of it aliases the
// line or the parser's buffers. One made by EventArena.New lives in the
// arena, and may alias the caller's line (see New). The engine never
// modifies an Event, except to make a thin one whole.
//
// Thin: an Event made by EventArena.NewFor for the rules of a RuleSet
// that read few columns holds only those (see NewFor), for the Process of
// the engine that computed the set. Get, Clone and DropIndex make it
// whole first when they need a column it lacks (its line is parsed
// again); code that reads its Columns otherwise must not be given it
// before it is whole (Process makes it whole before it runs other rules).
//
// Index: an Event that Fill or EventArena.New made from an indexed record
// (one the Audit parser filled, see parser.Record.ColIDs) carries an index
// of its columns by parser.ColID, through which the engine and the rules
// read a column in constant time instead of searching Columns; an event
// made otherwise (by hand, restored from saved state, from another
// parser's record) has none and is searched. Clone, and a copy of the
// Event value whose Columns are copied in order, keep the index. The
// index records which of those columns the event has, and where: it is
// read only while len(Columns) is what it was made with, and a column
// found through it only when it has the name asked for. With the index,
// such an event keeps the key of its dedupe identity (EventID, EventName,
// CreatedAt; see Engine), computed as it was made. So appending to,
// truncating, reordering Columns and changing values other than those
// three is safe; code that changes the value of one of the three, or
// gives the event a column of a name with a ColID it did not have
// (renaming a column, or replacing Columns by a slice of the same
// length), must call DropIndex first.
type Event struct {
	// Type is the log the line was parsed as.
	Type parser.Type
	// hintID and hintName are the sums of the line's hint columns (see
	// Wanter.Stamp), in the room the alignment of Time and FileID
	// leaves: both 0 when not given. Not saved.
	hintID uint32
	// Time is the event time as an instant in UTC (parser.Record.Time); the
	// zero Time when the line has none.
	Time time.Time
	// Columns are the record's non-empty columns in record order, plus any
	// enrichment the agent added (City, Country, ... from GeoIP).
	Columns []Column
	// Raw is the line as read, without its newline and without the UTF-8
	// byte order marks at its start (lineOf): the line as forwarded in MSG.
	Raw string
	// Source names where the line came from: the file path, or "stream".
	Source string
	// Origin is OriginFile, OriginStream or OriginInput.
	Origin Origin
	// Outlier marks an event whose reader judged its time wrong: a line
	// dated more than Config.Lateness after the line before it when the
	// next line goes back to carry on from the line before it (one line
	// in another time zone, or from a clock that stepped and came back),
	// as detect's reader judges its inputs and the agent the lines of one
	// read. The engine treats it as dated beyond Config.MaxAhead: the
	// per-event rules see it, the windowed rules do not, and it moves no
	// watermark, so that the lines after it are not late. It is neither
	// checked against nor added to the event ids: its time may be right
	// and its place wrong (a stream body GitLab sent again after later
	// ones), and a copy of it read in order must still reach the windowed
	// rules; a per-event alert of both copies has one alert_id, the
	// second dropped as a repeat. Not saved.
	Outlier bool `json:"-"`
	// progress marks an Event made by NewProgress.
	progress bool
	hintName uint32 // see hintID
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

	cols  colIndex  // see Index above; not saved
	idKey recentKey // the dedupe identity's own key when cols.ident is identKeyed or identNamed, its line's when identLine
}

// Get returns the value of the first column called col, or "" when the
// event has none. On an event with an index (see Event) it reads a column
// with a parser.ColID through it, in constant time. It does not allocate,
// except on a thin event asked for a column its line has and it lacks:
// the event is then made whole (see EventArena.NewFor).
func (e *Event) Get(col string) string {
	if e.indexed() {
		if id, ok := colIDOf(col); ok {
			i := e.cols.at(id)
			if i < 0 {
				if e.cols.thin {
					return e.getWhole(col)
				}
				return ""
			}
			if i < len(e.Columns) && sameName(e.Columns[i].Name, col) {
				return e.Columns[i].Value
			}
		}
	}
	for i := range e.Columns {
		if e.Columns[i].Name == col {
			return e.Columns[i].Value
		}
	}
	if e.cols.thin {
		return e.getWhole(col)
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
// record's. e's index of its columns (see Event) is made from rec's, or
// dropped when rec has none. A UTF-8 byte order mark at the start of raw
// is left out of Raw (lineOf). Source, Origin, FileID, Offset, Host and
// Rules are left for the caller to set.
func (e *Event) Fill(rec *parser.Record, raw []byte, extra ...parser.Field) {
	raw = lineOf(raw)
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
	e.cols.build(rec, extra)
	e.buildIdentity(rec)
}

// lineOf returns raw without the UTF-8 byte order marks at its start
// (one, or more from a file saved again): the line as the forwarder sends
// it in MSG (forwarder.Encoder removes the marks, and every parser skips
// them), so that an alert's "raw" is the line
// as forwarded. The values the parser took from raw are parts of the
// result. NUL bytes before the line are kept, as MSG keeps them.
func lineOf(raw []byte) []byte {
	for bytes.HasPrefix(raw, utf8BOM) {
		raw = raw[len(utf8BOM):]
	}
	return raw
}

// gitlabLine returns GitLab's line in raw, an event's Raw: the text after
// its last NUL byte (the padding a crash or a copytruncate leaves, maybe
// after part of a line, which the parsers skip) and the byte order marks
// after it; raw itself when it holds no NUL byte. The identity of a line
// without EventID and its alert_id are made from it, so that padding,
// whose length depends on max_line_bytes and on the file's history,
// changes neither.
func gitlabLine(raw string) string {
	if strings.IndexByte(raw, 0) < 0 { // vectorised: LastIndexByte looks at one byte at a time
		return raw
	}
	i := strings.LastIndexByte(raw, 0)
	return strings.TrimLeft(raw[i+1:], "\ufeff")
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

// NewProgress returns an Event that stands for the lines of source no
// rule wants, read through a line of time t that ends at offset (bytes,
// or detect's line number) in the file fileID: for a caller that merges
// such marks among its events, and gives them to Engine.Progress instead
// of Process (IsProgress). Only Time, Source, FileID and Offset are set.
func NewProgress(source, fileID string, offset int64, t time.Time) *Event {
	return &Event{Time: t, Source: source, FileID: fileID, Offset: offset, progress: true}
}

// IsProgress reports whether e was made by NewProgress.
func (e *Event) IsProgress() bool { return e.progress }

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
// columns). Up to 65 columns, the Columns array is allocated together
// with the Event, in one piece of memory: one allocation instead of two.
func AllocEvent(n int) *Event {
	// Each length fills a size class of the allocator (with the 8-byte
	// header of an object over 512 bytes) for a 216-byte Event: no more
	// room is left unused than by two allocations.
	switch {
	case n <= 7:
		return allocEvent[[7]Column]()
	case n <= 8:
		return allocEvent[[8]Column]()
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
	case n <= 21:
		return allocEvent[[21]Column]()
	case n <= 25:
		return allocEvent[[25]Column]()
	case n <= 29:
		return allocEvent[[29]Column]()
	case n <= 33:
		return allocEvent[[33]Column]()
	case n <= 37:
		return allocEvent[[37]Column]()
	case n <= 41:
		return allocEvent[[41]Column]()
	case n <= 49:
		return allocEvent[[49]Column]()
	case n <= 57:
		return allocEvent[[57]Column]()
	case n <= 65:
		return allocEvent[[65]Column]()
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

// Clone returns a copy of e that owns its storage, for a rule or the
// engine to keep after Process returned (see Event), with e's index of
// its columns (the copy's Columns are e's, in order). A thin event is made
// whole first (see EventArena.NewFor): the copy has every column. It makes two
// allocations: the Event with its Columns, and one string for Raw and
// the values (a value that is a part of Raw stays a part of the copy).
func (e *Event) Clone() *Event {
	e.makeWhole()
	var b strings.Builder
	b.Grow(e.ownedLen())
	b.WriteString(e.Raw)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			b.WriteString(e.Columns[i].Value)
		}
	}
	c := AllocEvent(len(e.Columns))
	c.copyFrom(e, b.String())
	return c
}

// ownedLen returns the bytes a copy of e that owns its storage needs: Raw
// and the values of the columns that are not a part of Raw.
func (e *Event) ownedLen() int {
	n := len(e.Raw)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			n += len(e.Columns[i].Value)
		}
	}
	return n
}

// copyFrom makes e a copy of src whose Raw and values point into s: src.Raw
// followed by the values of src's columns that are not a part of src.Raw,
// in column order (ownedLen bytes). e.Columns must have room for
// len(src.Columns) columns.
func (e *Event) copyFrom(src *Event, s string) {
	cols := e.Columns
	*e = *src
	e.Raw = s[:len(src.Raw)]
	off := len(src.Raw)
	e.Columns = cols[:len(src.Columns)]
	for i, col := range src.Columns {
		v := col.Value
		if at, in := partOfString(src.Raw, v); in {
			e.Columns[i] = Column{Name: col.Name, Value: s[at : at+len(v)]}
			continue
		}
		e.Columns[i] = Column{Name: col.Name, Value: s[off : off+len(v)]}
		off += len(v)
	}
}

// partOfString is partOf for strings.
func partOfString(raw, v string) (int, bool) {
	return partOf(unsafe.Slice(unsafe.StringData(raw), len(raw)), unsafe.Slice(unsafe.StringData(v), len(v)))
}

// detach makes a own what it references of the Event being processed,
// for a rule that holds a after Observe returned (see Event): a.Event is
// cloned, and Key, Columns and EventIDs are copied with their values (a
// value that is a part of the event's Raw is taken from the clone's).
func (a *Alert) detach() {
	var raw string
	if a.Event != nil {
		raw = a.Event.Raw
		a.Event = a.Event.Clone()
	}
	own := func(v string) string {
		if at, in := partOfString(raw, v); in {
			return a.Event.Raw[at : at+len(v)]
		}
		return strings.Clone(v)
	}
	a.Key, a.canon, a.Columns, a.EventIDs = slices.Clone(a.Key), slices.Clone(a.canon), slices.Clone(a.Columns), slices.Clone(a.EventIDs) // a rule may share them
	for _, cs := range [][]Column{a.Key, a.canon, a.Columns} {
		for i := range cs {
			cs[i].Value = own(cs[i].Value)
		}
	}
	for i := range a.EventIDs {
		a.EventIDs[i] = own(a.EventIDs[i])
	}
}

// EventArena is reusable storage for the Events of one batch of lines:
// every Event it returns, its Columns and the values copied into it are
// carved out of a few pieces of memory that Reset makes available again,
// so that in the steady state making an Event allocates nothing. It
// relies on the contract of Process (see Event): an Event must not be
// used after Reset, nor kept by the engine past Process. The zero value
// is ready to use; an EventArena is not safe for concurrent use.
type EventArena struct {
	buf  []byte   // raws and values; a full chunk is replaced, not grown
	cols []Column // the Events' Columns
	evs  []Event
	thin thinCache // see NewFor
}

// Minimum sizes of the arena's chunks: a chunk that is full is replaced
// by one twice as large, so that Events already made stay where they are.
const (
	minArenaBytes  = 64 << 10
	minArenaCols   = 1024
	minArenaEvents = 64
)

// Reset makes the storage of every Event the arena returned available
// again: those Events, their Columns and values must no longer be used.
// The largest chunks are kept.
func (a *EventArena) Reset() {
	a.buf, a.cols, a.evs = a.buf[:0], a.cols[:0], a.evs[:0]
}

// New returns an Event filled from a parsed record and its line as Fill
// does, in the arena's storage. Values are copied into the arena, except
// those that are a part of raw when rawStable is set: the caller then
// promises that raw stays unchanged until the Event is used no more (the
// Process it is passed to returned), and Raw and those values alias it.
// extra columns (GeoIP enrichment) are appended after the record's. The
// Event's index of its columns (see Event) is made from rec's, while rec
// is in the cache: an audit record's event is read in constant time.
// Source, Origin, FileID, Offset, Host and Rules are left zero for the
// caller.
func (a *EventArena) New(rec *parser.Record, raw []byte, rawStable bool, extra ...parser.Field) *Event {
	raw = lineOf(raw)
	nc := len(rec.Fields) + len(extra)
	need := 0
	if !rawStable {
		need = len(raw)
	}
	for i := range rec.Fields {
		need += len(rec.Fields[i].Value) // a bound: the values in raw take no room
	}
	for i := range extra {
		need += len(extra[i].Value)
	}
	e, cols := a.alloc(need, nc)
	rs := a.raw(raw, rawStable)
	e.init(rec.Type, rec.Time, rs)
	for i := range rec.Fields {
		f := &rec.Fields[i]
		cols[i] = Column{Name: f.Name, Value: a.value(raw, rs, f.Value)}
	}
	for i := range extra {
		cols[len(rec.Fields)+i] = Column{Name: extra[i].Name, Value: a.bytes(extra[i].Value)}
	}
	e.Columns = cols
	e.cols.build(rec, extra)
	e.buildIdentity(rec)
	return e
}

// alloc returns a new Event of the arena and its Columns, of length nc,
// with room for need bytes of values in the arena's chunk.
func (a *EventArena) alloc(need, nc int) (*Event, []Column) {
	if cap(a.buf)-len(a.buf) < need {
		a.buf = make([]byte, 0, max(2*cap(a.buf), need, minArenaBytes))
	}
	if cap(a.cols)-len(a.cols) < nc {
		a.cols = make([]Column, 0, max(2*cap(a.cols), nc, minArenaCols))
	}
	if len(a.evs) == cap(a.evs) {
		a.evs = make([]Event, 0, max(2*cap(a.evs), minArenaEvents))
	}
	a.evs = a.evs[:len(a.evs)+1]
	cols := a.cols[len(a.cols) : len(a.cols)+nc : len(a.cols)+nc]
	a.cols = a.cols[:len(a.cols)+nc]
	return &a.evs[len(a.evs)-1], cols
}

// init sets every field of e, an Event of the arena that may still hold
// one of an earlier batch, to those of a new Event of type typ at time t
// with Raw raw: *e = Event{Type: typ, Time: t, Raw: raw}, written field
// by field, without the copy of a whole Event through the stack (and its
// bulk write barrier while the garbage collector marks) that assigning
// the literal compiles to. TestEventInitClearsAll checks that it
// writes every field.
func (e *Event) init(typ parser.Type, t time.Time, raw string) {
	e.Type, e.Time, e.Columns, e.Raw = typ, t, nil, raw
	e.Source, e.Origin, e.progress, e.FileID, e.Offset, e.Host = "", 0, false, "", 0, ""
	e.Outlier = false
	e.Rules.tag, e.Rules.bits, e.Rules.recheck, e.Rules.epoch = nil, 0, 0, 0
	e.cols, e.idKey, e.hintID, e.hintName = colIndex{}, recentKey{}, 0, 0
}

// raw returns the Event's Raw of the line raw: raw itself when it is
// stable (see New), else its copy in the arena.
func (a *EventArena) raw(raw []byte, stable bool) string {
	if stable {
		return unsafe.String(unsafe.SliceData(raw), len(raw))
	}
	return a.bytes(raw)
}

// value returns the Event's value of a field's value v of the line raw,
// whose Raw is rs: a part of rs when v is a part of raw, else its copy in
// the arena.
func (a *EventArena) value(raw []byte, rs string, v []byte) string {
	if at, in := partOf(raw, v); in {
		return rs[at : at+len(v)]
	}
	return a.bytes(v)
}

// bytes copies b into the arena's chunk, which New made large enough,
// and returns the copy as a string.
func (a *EventArena) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[n], len(b))
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

// createdOr returns the instant of created (a CreatedAt value) in UTC
// when it is a time the parser reads (parser.ParseTime: RFC 3339, or with
// " UTC" as Ruby's Time#to_s writes it, ...) or time.Parse reads as RFC
// 3339, else t.
func createdOr(created string, t time.Time) time.Time {
	if created != "" {
		if ct, ok := parser.ParseTime(unsafe.Slice(unsafe.StringData(created), len(created))); ok {
			return ct
		}
		if ct, err := time.Parse(time.RFC3339Nano, created); err == nil { // year 0, which the parser refuses
			return ct.UTC()
		}
	}
	return t
}
