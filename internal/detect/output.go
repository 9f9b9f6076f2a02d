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
	return t.UTC().Format(time.RFC3339Nano)
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// AppendJSON appends the alert as one line of JSON (no newline): the
// fields of Fields with count, threshold and baseline as numbers,
// learning as a boolean, tactic, technique and event_ids as arrays, and
// "time" (the alert's event time); the key and alert columns at the top
// level under their column names; for per-event rules the triggering
// record's columns (those not already present) and "raw", the line
// itself. This is the syslog MSG and the output of gitlab-syslog detect.
func (a *Alert) AppendJSON(dst []byte) []byte { return a.appendJSON(dst, a.Fields()) }

// appendJSON is AppendJSON with the alert's Fields.
func (a *Alert) appendJSON(dst []byte, fields []Column) []byte {
	dst = append(dst, '{')
	first := true
	key := func(k string) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonstr.Append(dst, k)
		dst = append(dst, ':')
	}
	str := func(k, v string) {
		key(k)
		dst = jsonstr.Append(dst, v)
	}
	strs := func(k string, vs []string) {
		key(k)
		dst = append(dst, '[')
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonstr.Append(dst, v)
		}
		dst = append(dst, ']')
	}
	for _, c := range fields {
		switch c.Name {
		case "count", "threshold", "baseline_mean", "baseline_sd":
			key(c.Name)
			dst = append(dst, c.Value...)
		case "learning":
			key(c.Name)
			dst = append(dst, c.Value...)
		case "tactic":
			strs(c.Name, a.Info.Tactic)
		case "technique":
			strs(c.Name, a.Info.Technique)
		case "event_ids":
			strs(c.Name, a.EventIDs)
		case "nodes":
			strs(c.Name, a.Nodes)
		default:
			str(c.Name, c.Value)
		}
		if c.Name == "alert_id" {
			str("time", formatTime(a.Time))
		}
	}
	if a.Event != nil {
		// A name whose nameBit is not in a set's mask is not in the set:
		// most columns are written without searching the fields or the
		// columns before them.
		var inFields, inCols uint64
		for i := range fields {
			inFields |= nameBit(fields[i].Name)
		}
		cols := a.Event.Columns
		for i, c := range cols {
			bit := nameBit(c.Name)
			if (inFields&bit == 0 || !hasColumn(fields, c.Name)) &&
				(inCols&bit == 0 || !hasColumn(cols[:i], c.Name)) { // the first of a name only
				str(c.Name, c.Value)
			}
			inCols |= bit
		}
		str("raw", a.Event.Raw)
	}
	return append(dst, '}')
}

// nameBit returns one bit of 64 chosen by name's length and its first and
// last bytes, for a quick test of whether a set of names may hold name.
func nameBit(name string) uint64 {
	h := uint(len(name))
	if len(name) > 0 {
		h = h*31 + uint(name[0])*7 + uint(name[len(name)-1])
	}
	return 1 << (h & 63)
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
// strings, read only, so the alert may be dropped once m is filled. MSG is
// a new buffer (m.Msg may alias a log line): see AppendMessage to reuse one.
func (a *Alert) Message(m *forwarder.Message, sdid string, o *forwarder.RecordOptions) {
	a.AppendMessage(m, sdid, o, nil)
}

// AppendMessage is Message with MSG written into msg[:0], which it returns
// (grown if needed) for the next alert; m.Msg is the returned buffer until
// then.
func (a *Alert) AppendMessage(m *forwarder.Message, sdid string, o *forwarder.RecordOptions, msg []byte) []byte {
	m.Facility = o.Facility
	m.Severity = syslogSeverity(a.Info.Severity)
	m.Time = a.Time
	m.Hostname = o.Hostname
	m.AppName = forwarder.AppNameDetections
	m.ProcID = o.ProcID
	m.MsgID = a.Info.ID
	fields := a.Fields()
	var ps []parser.Field
	if len(m.Elements) > 0 {
		ps = m.Elements[0].Params[:0]
	}
	for _, c := range fields {
		ps = append(ps, parser.Field{Name: c.Name, Value: readOnly(c.Value)})
	}
	m.Elements = append(m.Elements[:0], forwarder.Element{ID: AlertSDID(sdid), Params: ps})
	clear(m.Params)
	m.Params = m.Params[:0]
	if a.Event != nil {
		for _, c := range a.Event.Columns {
			m.Params = append(m.Params, parser.Field{Name: c.Name, Value: readOnly(c.Value)})
		}
	}
	msg = a.appendJSON(msg[:0], fields)
	m.Msg = msg
	return msg
}

// readOnly returns the bytes of s without copying them; they must not be
// written.
func readOnly(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
