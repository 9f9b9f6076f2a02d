package detect

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TruncatedMember names the member AppendFitJSON adds to an alert it
// shortened: an array of the names of the members whose values it
// shortened, in the order it shortened them ("raw" first).
const TruncatedMember = "truncated"

// Fit says which members AppendFitJSON may shorten.
type Fit uint8

const (
	// FitRaw shortens "raw", the triggering line, alone.
	FitRaw Fit = iota
	// FitColumns shortens "raw" and, when that is not enough, the values
	// of the alert's columns and of the triggering record's, the longest
	// first.
	FitColumns
)

// AppendFitJSON appends to dst the alert's JSON as AppendJSON writes it,
// shortened to at most limit bytes when it is longer, and returns it with
// the names of the members it shortened and true; when the JSON cannot
// be made that short, it returns dst unchanged, nil and false.
//
// It shortens only string values, each to a prefix of itself that ends
// between two UTF-8 characters (a list column, such as Usernames, between
// two of its items: listPrefix): "raw" first, down to "" if need be; then,
// with FitColumns, the values of the alert's columns (Alert.Columns) and
// of the record's columns, the longest first, each as little as the
// remaining excess needs; and when that is not enough, it leaves those
// columns out, the longest members first, and last shortens the values
// of the key columns (Alert.Key: user names, addresses, paths, which an
// attacker can make as long as GitLab logs them), the longest first. The
// other identifying members are never shortened: rule, name, kind,
// severity, tactic, technique, alert_id, time, the counts, thresholds,
// baselines, times, event_ids and nodes, nor the columns fitKept names
// (times, CorrelationID). A
// shortened JSON ends with the member TruncatedMember, which
// lists the members shortened or left out, so it stays one valid JSON object a SIEM
// reads its identifying members from. A JSON of at most limit bytes is
// returned as AppendJSON writes it, with no TruncatedMember.
//
// It allocates; it is for the rare alert longer than a datagram
// destination's max_message_bytes, not for every alert.
func (a *Alert) AppendFitJSON(dst []byte, limit int, fit Fit) ([]byte, []string, bool) {
	var buf [512]byte
	ps, _, t := a.appendFields(make([]parser.Field, 0, 19+len(a.Key)+len(a.Columns)), buf[:0])
	start := len(dst)
	dst = a.appendJSON(dst, ps, t)
	need := len(dst) - start - limit // bytes to remove
	if need <= 0 {
		return dst, nil, true
	}
	dst = dst[:start]
	raw, cols, keys := a.fitMembers(ps)
	var cut []string
	shorten := func(m *fitMember) {
		cost := escapedLen(m.name) + 2 // its name in TruncatedMember
		if len(cut) == 0 {
			cost += len(`,"` + TruncatedMember + `":[]`)
		} else {
			cost++ // a comma
		}
		cut = append(cut, m.name)
		need += cost
		k, n := escapedPrefix(m.value, max(m.esc-need, 0))
		if k < len(m.value) && listColumn(m.name) {
			k = listPrefix(m.value, k)
			n = escapedLen(m.value[:k])
		}
		m.keep, m.keptEsc = k, n
		need -= m.esc - n
	}
	if raw != nil {
		shorten(raw)
	}
	if need > 0 && fit == FitColumns {
		// The longest first; the order of the JSON among equals.
		byLen := slices.Clone(cols)
		slices.SortStableFunc(byLen, func(x, y *fitMember) int { return y.esc - x.esc })
		for _, m := range byLen {
			if m.esc <= escapedLen(m.name)+3 || fitKept(m.name) {
				continue // shortening it costs more than it saves, or it is kept whole
			}
			if shorten(m); need <= 0 {
				break
			}
		}
	}
	if need > 0 && fit == FitColumns {
		// Still too long: columns are left out, the longest members first,
		// their names listed in TruncatedMember too.
		byLen := slices.Clone(cols)
		size := func(m *fitMember) int { return escapedLen(m.name) + m.keptEsc }
		slices.SortStableFunc(byLen, func(x, y *fitMember) int { return size(y) - size(x) })
		for _, m := range byLen {
			if fitKept(m.name) {
				continue
			}
			if !slices.Contains(cut, m.name) {
				shorten(m) // listed; its value as short as it gets
			}
			m.drop = true
			if need -= len(`,"":""`) + size(m); need <= 0 {
				break
			}
		}
	}
	if need > 0 && fit == FitColumns {
		// Still too long: the key values, the longest first.
		slices.SortStableFunc(keys, func(x, y *fitMember) int { return y.esc - x.esc })
		for _, m := range keys {
			if m.esc <= escapedLen(m.name)+3 {
				continue
			}
			if shorten(m); need <= 0 {
				break
			}
		}
	}
	if need > 0 {
		return dst, nil, false
	}
	dst = a.appendCut(dst, ps, t, raw, append(cols, keys...), cut)
	if len(dst)-start > limit { // the sums above are wrong: never send it
		return dst[:start], nil, false
	}
	return dst, cut, true
}

// listColumn reports whether the column name holds a list of values as
// joinList writes it (a record of CSV), which AppendFitJSON shortens to
// whole items only (listPrefix).
func listColumn(name string) bool {
	switch name {
	case "Usernames", "Addresses", "Authors", "EntityPaths":
		return true
	}
	return false
}

// listPrefix returns the length of the longest prefix of v, a CSV record
// (joinList), at most k bytes long (k < len(v): v is cut), that holds
// whole items: it ends
// before a separating comma (one outside double quotes), or is empty. A
// list cut inside an item, a quoted one above all, would read wrong in a
// CSV reader such as KQL's parse_csv() (fresh-user trial 282: a quoted
// user name left without its closing quote).
func listPrefix(v string, k int) int {
	end, quoted := 0, false
	for i := 0; i < len(v) && i <= k; i++ {
		switch v[i] {
		case '"':
			quoted = !quoted // a doubled quote toggles twice
		case ',':
			if !quoted {
				end = i
			}
		}
	}
	return end
}

// fitMember is a member AppendFitJSON may shorten: its name and value,
// the length of the value as JSON (quotes left out), the bytes of it
// kept, whether it is left out (drop: the JSON was still too long with
// every value cut), and where it is: fields[field], or with field -1 the
// record's column col (col -1: raw).
type fitMember struct {
	name, value string
	esc, keep   int
	keptEsc     int // the length of value[:keep] as JSON
	drop        bool
	field, col  int
}

// fitMembers returns the members of the alert's JSON AppendFitJSON may
// shorten: raw (nil without a record), the string-valued columns, the
// alert's (in fields) and the record's that appendJSON writes, in the
// JSON's order, and the key columns (in fields).
func (a *Alert) fitMembers(fields []parser.Field) (raw *fitMember, cols, keys []*fitMember) {
	member := func(name, value string, field, col int) *fitMember {
		esc := escapedLen(value)
		return &fitMember{name: name, value: value, esc: esc, keep: len(value), keptEsc: esc, field: field, col: col}
	}
	for i := len(fields) - len(a.Columns) - len(a.Key); i < len(fields)-len(a.Columns); i++ {
		keys = append(keys, member(fields[i].Name, string(fields[i].Value), i, -1))
	}
	for i := len(fields) - len(a.Columns); i < len(fields); i++ {
		switch fields[i].Name {
		case "count", "threshold", "baseline_mean", "baseline_sd", "learning",
			"tactic", "technique", "event_ids", "nodes", "alert_id": // not written as strings (appendField)
			continue
		}
		if i > 0 {
			cols = append(cols, member(fields[i].Name, string(fields[i].Value), i, -1))
		}
	}
	if a.Event == nil {
		return nil, cols, keys
	}
	var inFields, inCols uint64
	for i := range fields {
		inFields |= nameBit(fields[i].Name)
	}
	cs := a.Event.Columns
	for i, c := range cs {
		bit := nameBit(c.Name)
		if firstWritten(fields, cs, i, inFields, inCols) { // as appendJSON
			cols = append(cols, member(c.Name, c.Value, -1, i))
		}
		inCols |= bit
	}
	return member("raw", a.Event.Raw, -1, -1), cols, keys
}

// appendCut is appendJSON with the values of raw and cols cut to the
// bytes they keep, and TruncatedMember listing cut.
func (a *Alert) appendCut(dst []byte, fields []parser.Field, t []byte, raw *fitMember, cols []*fitMember, cut []string) []byte {
	fs := slices.Clone(fields)
	var colKeep map[int]int // the record's columns cut, by index
	var dropped []int       // the fields left out
	for _, m := range cols {
		switch {
		case m.field >= 0 && m.drop:
			dropped = append(dropped, m.field)
		case m.keep == len(m.value):
		case m.field >= 0:
			fs[m.field].Value = fs[m.field].Value[:m.keep]
		default:
			if colKeep == nil {
				colKeep = map[int]int{}
			}
			colKeep[m.col] = m.keep
		}
	}
	if len(dropped) > 0 { // never field 0, "rule": it keeps the first place
		slices.Sort(dropped)
		for _, f := range slices.Backward(dropped) {
			fs = slices.Delete(fs, f, f+1)
		}
	}
	dst = append(dst, '{')
	for i := range fs {
		dst = a.appendField(dst, fs, i, t)
	}
	if a.Event != nil {
		for _, m := range cols {
			if m.field < 0 && !m.drop {
				v := m.value
				if k, ok := colKeep[m.col]; ok {
					v = v[:k]
				}
				dst = jsonstr.AppendMember(dst, m.name, v)
			}
		}
		dst = jsonstr.AppendMember(dst, "raw", raw.value[:raw.keep])
	}
	if len(cut) > 0 {
		dst = appendJSONList(appendJSONKey(append(dst, ','), TruncatedMember), cut)
	}
	return append(dst, '}')
}

// escapedLen returns the length of s as jsonstr.Append writes it, the
// quotes left out.
func escapedLen(s string) int {
	_, n := escapedPrefix(s, math.MaxInt)
	return n
}

// escapedPrefix returns the length k of the longest prefix of s that ends
// between two characters (an invalid UTF-8 byte is one) and whose JSON,
// as jsonstr.Append writes it (quotes left out), takes at most room
// bytes, and that JSON's length n.
func escapedPrefix(s string, room int) (k, n int) {
	for k < len(s) {
		c, w, size := s[k], 1, 1
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			w = 2
		case c < 0x20:
			w = len(`\u0000`)
		case c >= utf8.RuneSelf:
			r, sz := utf8.DecodeRuneInString(s[k:])
			size, w = sz, sz
			if (r == utf8.RuneError && sz == 1) || r == '\u2028' || r == '\u2029' {
				w = len(`\ufffd`)
			}
		}
		if n+w > room {
			break
		}
		n += w
		k += size
	}
	return k, n
}

// fitKept reports whether AppendFitJSON keeps the column col whole: a
// time (EventTime, CreatedAt, a cut one reads as another), and
// CorrelationID, the key that joins the alert to the request's other
// log lines.
func fitKept(col string) bool {
	switch col {
	case parser.ColEventTime, parser.ColCreatedAt, parser.ColCorrelationID:
		return true
	}
	return false
}
