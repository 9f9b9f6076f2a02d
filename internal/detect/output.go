package detect

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Fields returns the alert's generic fields, then its key columns, then its
// further columns, as name/value pairs in the order they are written to
// the alert@ STRUCTURED-DATA element (its enterprise number follows
// forward.sd_id, e.g. alert@32473). Fields that do
// not apply (zero count, no threshold, no baseline, zero times) are left
// out; lists (tactic, technique, event_ids) are comma-separated; times are
// RFC 3339 in UTC.
func (a *Alert) Fields() []Column {
	// 19 generic fields at most, then the columns: one allocation.
	f := append(make([]Column, 0, 19+len(a.Key)+len(a.Columns)),
		Column{"rule", a.Info.ID},
		Column{"name", a.Info.Name},
		Column{"kind", a.Info.Kind.String()},
		Column{"severity", a.Info.Severity.String()},
	)
	add := func(name, v string) {
		if v != "" {
			f = append(f, Column{name, v})
		}
	}
	add("tactic", strings.Join(a.Info.Tactic, ","))
	add("technique", strings.Join(a.Info.Technique, ","))
	add("alert_id", a.ID)
	if a.Count > 0 {
		add("count", strconv.Itoa(a.Count))
	}
	if a.HasThreshold {
		add("threshold", formatFloat(a.Threshold))
	}
	if a.HasBaseline {
		add("baseline_mean", formatFloat(a.BaselineMean))
		add("baseline_sd", formatFloat(a.BaselineSD))
	}
	add("window_start", formatTime(a.WindowStart))
	add("window_end", formatTime(a.WindowEnd))
	add("first_event", formatTime(a.FirstEvent))
	add("last_event", formatTime(a.LastEvent))
	add("event_ids", strings.Join(a.EventIDs, ","))
	if a.HasBaseline || a.Learning {
		add("learning", strconv.FormatBool(a.Learning))
	}
	add("detected_at", formatTime(a.DetectedAt))
	add("nodes", strings.Join(a.Nodes, ","))
	f = append(f, a.Key...)
	return append(f, a.Columns...)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return string(appendRFC3339(make([]byte, 0, len(time.RFC3339Nano)), t.UTC()))
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// AppendJSON appends the alert as one line of JSON (no newline): the
// fields of Fields with count, threshold and baseline as numbers,
// learning as a boolean, tactic, technique and event_ids as arrays, and
// "time" (the alert's event time); the key and alert columns at the top
// level under their column names; for per-event rules the triggering
// record's columns (those not already present) and "raw", the line
// itself. This is the syslog MSG and the output of gitlab-syslog detect.
func (a *Alert) AppendJSON(dst []byte) []byte {
	var buf [512]byte
	ps, _, t := a.appendFields(make([]parser.Field, 0, 19+len(a.Key)+len(a.Columns)), buf[:0])
	return a.appendJSON(dst, ps, t)
}

// appendFields appends to ps the alert's Fields, in order, and returns
// them with scratch and the alert's time (RFC 3339, "" when zero) as
// text. The values of the alert's strings are not copied (read only);
// those that are formatted (lists, numbers, times) are appended to
// scratch, and the values point into it, or into an earlier array of it
// when it grew. Nothing is allocated while ps and scratch have room.
func (a *Alert) appendFields(ps []parser.Field, scratch []byte) ([]parser.Field, []byte, []byte) {
	f := fieldBuf{ps: ps, b: scratch}
	f.info(&a.Info)
	return a.appendRest(f)
}

// fieldBuf is the Fields being built (ps) and the scratch their formatted
// values are written to (b).
type fieldBuf struct {
	ps []parser.Field
	b  []byte
}

// formatted returns the bytes appended to b since lo.
func (f *fieldBuf) formatted(lo int) []byte { return f.b[lo:len(f.b):len(f.b)] }

// str adds the field name=v unless v is empty.
func (f *fieldBuf) str(name, v string) {
	if v != "" {
		f.ps = append(f.ps, parser.Field{Name: name, Value: readOnly(v)})
	}
}

// list adds the field name with vs joined by commas, unless that is empty.
func (f *fieldBuf) list(name string, vs []string) {
	if len(vs) == 1 {
		f.str(name, vs[0])
		return
	}
	lo := len(f.b)
	for i, v := range vs {
		if i > 0 {
			f.b = append(f.b, ',')
		}
		f.b = append(f.b, v...)
	}
	if len(f.b) > lo {
		f.ps = append(f.ps, parser.Field{Name: name, Value: f.formatted(lo)})
	}
}

// tm adds the field name with t in RFC 3339, unless t is zero.
func (f *fieldBuf) tm(name string, t time.Time) {
	if !t.IsZero() {
		lo := len(f.b)
		f.b = appendRFC3339(f.b, t.UTC())
		f.ps = append(f.ps, parser.Field{Name: name, Value: f.formatted(lo)})
	}
}

// num adds the field name with x as a decimal number.
func (f *fieldBuf) num(name string, x float64) {
	lo := len(f.b)
	f.b = strconv.AppendFloat(f.b, x, 'f', -1, 64)
	f.ps = append(f.ps, parser.Field{Name: name, Value: f.formatted(lo)})
}

// info adds the fields of the rule's description: rule, name, kind,
// severity, tactic and technique. They depend on in alone (see
// AlertWriter, which keeps them).
func (f *fieldBuf) info(in *Info) {
	f.ps = append(f.ps,
		parser.Field{Name: "rule", Value: readOnly(in.ID)},
		parser.Field{Name: "name", Value: readOnly(in.Name)},
		parser.Field{Name: "kind", Value: readOnly(in.Kind.String())},
		parser.Field{Name: "severity", Value: readOnly(in.Severity.String())},
	)
	f.list("tactic", in.Tactic)
	f.list("technique", in.Technique)
}

// appendRest adds to f the fields that follow those of info (alert_id
// to nodes, then the key and alert columns) and returns them as
// appendFields does.
func (a *Alert) appendRest(f fieldBuf) ([]parser.Field, []byte, []byte) {
	f.str("alert_id", a.ID)
	if a.Count > 0 {
		lo := len(f.b)
		f.b = strconv.AppendInt(f.b, int64(a.Count), 10)
		f.ps = append(f.ps, parser.Field{Name: "count", Value: f.formatted(lo)})
	}
	if a.HasThreshold {
		f.num("threshold", a.Threshold)
	}
	if a.HasBaseline {
		f.num("baseline_mean", a.BaselineMean)
		f.num("baseline_sd", a.BaselineSD)
	}
	f.tm("window_start", a.WindowStart)
	f.tm("window_end", a.WindowEnd)
	f.tm("first_event", a.FirstEvent)
	f.tm("last_event", a.LastEvent)
	f.list("event_ids", a.EventIDs)
	if a.HasBaseline || a.Learning {
		f.str("learning", strconv.FormatBool(a.Learning))
	}
	f.tm("detected_at", a.DetectedAt)
	f.list("nodes", a.Nodes)
	for _, cs := range [2][]Column{a.Key, a.Columns} {
		for _, c := range cs {
			f.ps = append(f.ps, parser.Field{Name: c.Name, Value: readOnly(c.Value)})
		}
	}
	lo := len(f.b)
	if !a.Time.IsZero() {
		f.b = appendRFC3339(f.b, a.Time.UTC())
	}
	return f.ps, f.b, f.formatted(lo)
}

// appendJSON is AppendJSON with the alert's fields (appendFields) and
// time as text.
func (a *Alert) appendJSON(dst []byte, fields []parser.Field, t []byte) []byte {
	dst = append(dst, '{')
	for i := range fields {
		dst = a.appendField(dst, fields, i, t)
	}
	if a.Event != nil {
		// A name whose nameBit is not all in a set's mask is not in the
		// set: most columns are written without searching the fields or
		// the columns before them.
		var inFields, inCols uint64
		for i := range fields {
			inFields |= nameBit(fields[i].Name)
		}
		cols := a.Event.Columns
		for i, c := range cols {
			bit := nameBit(c.Name)
			if firstWritten(fields, cols, i, inFields, inCols) {
				dst = jsonstr.AppendMember(dst, c.Name, c.Value)
			}
			inCols |= bit
		}
		dst = jsonstr.AppendMember(dst, "raw", a.Event.Raw)
	}
	return append(dst, '}')
}

// appendField appends the JSON member of fields[i] (with the comma before
// it unless i is 0), as AppendJSON writes it; t is the alert's time as
// text, written after alert_id.
func (a *Alert) appendField(dst []byte, fields []parser.Field, i int, t []byte) []byte {
	c := &fields[i]
	switch c.Name {
	case "count", "threshold", "baseline_mean", "baseline_sd", "learning":
		return append(appendJSONKey(comma(dst, i), c.Name), c.Value...)
	case "tactic":
		return appendJSONList(appendJSONKey(comma(dst, i), c.Name), a.Info.Tactic)
	case "technique":
		return appendJSONList(appendJSONKey(comma(dst, i), c.Name), a.Info.Technique)
	case "event_ids":
		return appendJSONList(appendJSONKey(comma(dst, i), c.Name), a.EventIDs)
	case "nodes":
		return appendJSONList(appendJSONKey(comma(dst, i), c.Name), a.Nodes)
	case "alert_id":
		return jsonstr.AppendMember(jsonstr.AppendMember(dst, c.Name, c.Value), "time", t)
	}
	if i == 0 {
		return jsonstr.Append(appendJSONKey(dst, c.Name), c.Value)
	}
	return jsonstr.AppendMember(dst, c.Name, c.Value)
}

// comma appends the comma before the i-th member of an object (none
// before the first).
func comma(dst []byte, i int) []byte {
	if i > 0 {
		return append(dst, ',')
	}
	return dst
}

// appendJSONKey appends the JSON string k and a colon.
func appendJSONKey(dst []byte, k string) []byte {
	return append(jsonstr.Append(dst, k), ':')
}

// appendJSONList appends vs as a JSON array of strings.
func appendJSONList(dst []byte, vs []string) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, v)
	}
	return append(dst, ']')
}

// hasField reports whether fs has a field named name.
func hasField(fs []parser.Field, name string) bool {
	for i := range fs {
		if fs[i].Name == name {
			return true
		}
	}
	return false
}

// nameBit returns two bits of 64 chosen by a hash of name's length and
// its first, middle and last bytes, for a quick test of whether a set of
// names (the union of their nameBits) may hold name: it may only when
// both bits are in the set. Column names share lengths and ends
// (meta.caller_id, meta.client_id), so the middle byte counts too.
func nameBit(name string) uint64 {
	h := uint64(len(name))
	if n := len(name); n > 0 {
		h |= uint64(name[0])<<8 | uint64(name[n/2])<<16 | uint64(name[n-1])<<24
	}
	h *= 0x9e3779b97f4a7c15
	return 1<<(h>>58) | 1<<(h>>52&63)
}

// hasColumn reports whether cs has a column named name.
func hasColumn(cs []Column, name string) bool {
	for i := range cs {
		if cs[i].Name == name {
			return true
		}
	}
	return false
}

// AlertSDID returns the SD-ID of the alert element for the SD-ID of the
// log lines' element: "alert@" with the same private enterprise number
// ("gitlab@32473" → "alert@32473"). An SD-ID without "@" gives
// "alert@32473".
func AlertSDID(sdid string) string {
	if i := strings.LastIndexByte(sdid, '@'); i >= 0 && sdid[i:] != "@32473" {
		return "alert" + sdid[i:]
	}
	return "alert@32473"
}

// syslogSeverity maps an alert's severity to the syslog severity: High to
// err (3), Medium (Falco's WARNING) to warning (4), Low to notice (5),
// Informational to info (6).
func syslogSeverity(s Severity) forwarder.Severity {
	switch s {
	case SeverityHigh:
		return forwarder.Error
	case SeverityMedium:
		return forwarder.Warning
	case SeverityLow:
		return forwarder.Notice
	}
	return forwarder.Informational
}

// Message fills m with the alert as a syslog message:
//
//   - APP-NAME GitLab-Detections (o.AppName is ignored: the log lines'
//     APP-NAMEs never carry alerts), MSGID the rule id;
//   - FACILITY o.Facility (local7 by default), HOSTNAME o.Hostname;
//   - SEVERITY High → err, Medium → warning, Low → notice,
//     Informational → info;
//   - TIMESTAMP the alert's event time (Alert.Time);
//   - STRUCTURED-DATA an element sdid (see AlertSDID) with Fields, then,
//     for per-event rules, the triggering record's columns in the usual
//     element (the encoder's SD-ID);
//   - MSG the alert as one line of JSON (AppendJSON), which keeps
//     everything when a collector drops STRUCTURED-DATA.
//
// m's Params and Elements slices are reused; the values are the alert's
// strings, read only, or (numbers, times, lists) parts of the new buffer
// MSG is written to, so the alert may be dropped once m is filled. See
// AppendMessage to reuse the buffer.
func (a *Alert) Message(m *forwarder.Message, sdid string, o *forwarder.RecordOptions) {
	a.AppendMessage(m, sdid, o, nil)
}

// AppendMessage is Message with MSG written into msg[:0], which it returns
// (grown if needed) for the next alert; until then m.Msg and the values of
// the alert element point into it. With m and msg reused it allocates
// nothing once they have grown to the alerts' size.
func (a *Alert) AppendMessage(m *forwarder.Message, sdid string, o *forwarder.RecordOptions, msg []byte) []byte {
	ps, id := a.setHeader(m, sdid, o)
	// The formatted values go first into msg, MSG after them.
	ps, msg, t := a.appendFields(ps, msg[:0])
	m.Elements = append(m.Elements[:0], forwarder.Element{ID: id, Params: ps})
	clear(m.Params)
	m.Params = m.Params[:0]
	if a.Event != nil {
		for _, c := range a.Event.Columns {
			m.Params = append(m.Params, parser.Field{Name: c.Name, Value: readOnly(c.Value)})
		}
	}
	start := len(msg)
	msg = a.appendJSON(msg, ps, t)
	m.Msg = msg[start:]
	return msg
}

// setHeader fills the RFC 5424 header fields of m for a (PRI from the
// severity, TIMESTAMP, HOSTNAME, APP-NAME GitLab-Detections, PROCID, MSGID
// the rule id) and returns m's alert element's params emptied for reuse
// and its SD-ID, AlertSDID(sdid), reused from m when it is that already.
func (a *Alert) setHeader(m *forwarder.Message, sdid string, o *forwarder.RecordOptions) (ps []parser.Field, id string) {
	m.Facility = o.Facility
	m.Severity = syslogSeverity(a.Info.Severity)
	m.Time = a.Time
	m.Hostname = o.Hostname
	m.AppName = forwarder.AppNameDetections
	m.ProcID = o.ProcID
	m.MsgID = a.Info.ID
	if len(m.Elements) > 0 {
		ps = m.Elements[0].Params[:0]
		if prev := m.Elements[0].ID; sameAlertSDID(prev, sdid) {
			id = prev
		}
	}
	if id == "" {
		id = AlertSDID(sdid)
	}
	return ps, id
}

// sameAlertSDID reports whether id is AlertSDID(sdid), without building it.
func sameAlertSDID(id, sdid string) bool {
	suffix := "@32473"
	if i := strings.LastIndexByte(sdid, '@'); i >= 0 {
		suffix = sdid[i:]
	}
	return len(id) == len("alert")+len(suffix) && id[:len("alert")] == "alert" && id[len("alert"):] == suffix
}

// readOnly returns the bytes of s without copying them; they must not be
// written.
func readOnly(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// firstWritten reports whether the record column cols[i] is written in an
// alert's JSON after its fields: its name is neither a field's nor that of
// a column before it (the first of a name only). inFields is the union of
// the fields' nameBits and inCols that of cols[:i]: a name whose nameBit
// is not all in a set's mask is not in the set, so most columns are
// written without a search.
func firstWritten(fields []parser.Field, cols []Column, i int, inFields, inCols uint64) bool {
	name := cols[i].Name
	bit := nameBit(name)
	return (inFields&bit != bit || !hasField(fields, name)) && (inCols&bit != bit || !hasColumn(cols[:i], name))
}
