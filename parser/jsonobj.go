package parser

import (
	"bytes"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// Where a slot's value came from: the top level of the line wins over the
// nested details object.
const (
	srcNone byte = iota
	srcDetails
	srcTop
)

// maxNames bounds the per-parser cache of meta.* column names.
const maxNames = 4096

// metaSlot is one meta.* key of the line.
type metaSlot struct {
	name string
	val  span
}

// keyTable maps a trimmed, unescaped key to a slot index, or -1.
type keyTable func(k []byte) int

// jsonObj scans one JSON object line and remembers the spans of the values a
// parser keeps. It is embedded in the Audit and Application parsers and
// reused from line to line.
type jsonObj struct {
	line    []byte
	slots   [nAuditSlots]span
	meta    []metaSlot
	names   map[string]string // interned meta.* names
	kbuf    []byte            // unescaped key
	cbuf    bytes.Buffer      // compacted object/array values
	lookup  keyTable
	details bool // merge the nested "details" object (audit)
}

// scan validates line as one JSON object and fills o.slots and o.meta.
func (o *jsonObj) scan(line []byte) *scanErr {
	o.line = line
	o.slots = [nAuditSlots]span{}
	clear(o.meta)
	o.meta = o.meta[:0]
	if len(line) > maxLine {
		return &scanErr{-1, "line longer than 2 GiB"}
	}
	i := skipWS(line, 0)
	if i >= len(line) {
		return &scanErr{i, "empty line"}
	}
	if line[i] != '{' {
		return &scanErr{i, "line is not a JSON object"}
	}
	end, err := walkObject(line, i, 1, o.topMember)
	if err != nil {
		return err
	}
	if j := skipWS(line, end); j != len(line) {
		return &scanErr{j, "invalid character " + quoteByte(line[j]) + " after top-level value"}
	}
	return nil
}

// key returns the key text, unescaped when needed and trimmed of spaces.
func (o *jsonObj) key(raw []byte, flags byte) []byte {
	if flags != 0 {
		o.kbuf = appendUnescaped(o.kbuf[:0], raw)
		raw = o.kbuf
	}
	return trimKey(raw)
}

// scanSpan scans the value at line[i] (inside a container at depth).
func (o *jsonObj) scanSpan(i, depth int, src byte) (span, *scanErr) {
	b := o.line
	if i < len(b) && b[i] == '"' {
		end, flags, err := scanString(b, i)
		return span{start: int32(i), end: int32(end), kind: kindString, flags: flags, src: src}, err
	}
	end, kind, err := scanValue(b, i, depth)
	return span{start: int32(i), end: int32(end), kind: kind, src: src}, err
}

func (o *jsonObj) topMember(raw []byte, flags byte, vs int) (int, bool, *scanErr) {
	k := o.key(raw, flags)
	if o.details && string(k) == "details" {
		// A later "details" replaces an earlier one, as in a map.
		for n := range o.slots {
			if o.slots[n].src == srcDetails {
				o.slots[n] = span{}
			}
		}
		if vs < len(o.line) && o.line[vs] == '{' {
			end, err := walkObject(o.line, vs, 2, o.detailsMember)
			return end, true, err
		}
		return 0, false, nil
	}
	if idx := o.lookup(k); idx >= 0 {
		s, err := o.scanSpan(vs, 1, srcTop)
		o.slots[idx] = s
		return int(s.end), true, err
	}
	if len(k) >= 5 && string(k[:5]) == "meta." {
		s, err := o.scanSpan(vs, 1, srcTop)
		for n := range o.meta {
			if o.meta[n].name == string(k) {
				o.meta[n].val = s
				return int(s.end), true, err
			}
		}
		o.meta = append(o.meta, metaSlot{name: o.intern(k), val: s})
		return int(s.end), true, err
	}
	return 0, false, nil
}

func (o *jsonObj) detailsMember(raw []byte, flags byte, vs int) (int, bool, *scanErr) {
	k := o.key(raw, flags)
	if idx := o.lookup(k); idx >= 0 {
		s, err := o.scanSpan(vs, 2, srcDetails)
		if o.slots[idx].src != srcTop {
			o.slots[idx] = s
		}
		return int(s.end), true, err
	}
	return 0, false, nil
}

// intern returns k as a string, reusing an earlier copy so that the usual
// handful of meta.* keys cost no allocation per line.
func (o *jsonObj) intern(k []byte) string {
	if s, ok := o.names[string(k)]; ok {
		return s
	}
	if s := knownMeta(k); s != "" {
		return s
	}
	s := string(k)
	if o.names == nil {
		o.names = make(map[string]string)
	}
	if len(o.names) < maxNames {
		o.names[s] = s
	}
	return s
}

// knownMeta returns the constant for the meta.* keys GitLab writes most.
func knownMeta(k []byte) string {
	switch string(k) {
	case "meta.caller_id":
		return "meta.caller_id"
	case "meta.remote_ip":
		return "meta.remote_ip"
	case "meta.feature_category":
		return "meta.feature_category"
	case "meta.user":
		return "meta.user"
	case "meta.user_id":
		return "meta.user_id"
	case "meta.project":
		return "meta.project"
	case "meta.root_namespace":
		return "meta.root_namespace"
	case "meta.client_id":
		return "meta.client_id"
	case "meta.root_caller_id":
		return "meta.root_caller_id"
	}
	return ""
}

// empty reports whether a slot yields no column: missing, null or "".
func (s span) empty() bool {
	return s.kind == kindNone || s.kind == kindNull || (s.kind == kindString && s.end-s.start == 2)
}

// emit adds the column name with the value of s to r. Strings are unescaped
// (invalid UTF-8 becomes U+FFFD), numbers and booleans keep their JSON text,
// objects and arrays their compact JSON text; null is omitted.
func (o *jsonObj) emit(r *Record, name string, s span) []byte {
	if s.empty() {
		return nil
	}
	v := o.line[s.start:s.end]
	switch s.kind {
	case kindString:
		raw := v[1 : len(v)-1]
		if s.flags == 0 || (s.flags == strNonASCII && utf8.Valid(raw)) {
			r.add(name, raw)
			return raw
		}
		buf := r.scratch()
		start := len(buf)
		buf = appendUnescaped(buf, raw)
		r.commit(name, buf, start)
	case kindObject, kindArray:
		o.cbuf.Reset()
		if err := json.Compact(&o.cbuf, v); err != nil {
			// Cannot happen: the scanner validated v. Keep the text as is.
			o.cbuf.Reset()
			o.cbuf.Write(v)
		}
		buf := r.scratch()
		start := len(buf)
		buf = appendValidUTF8(buf, o.cbuf.Bytes())
		r.commit(name, buf, start)
	default:
		r.add(name, v)
		return v
	}
	return r.Fields[len(r.Fields)-1].Value
}

// emitMeta adds the meta.* columns in the order they first appeared.
func (o *jsonObj) emitMeta(r *Record) {
	for _, m := range o.meta {
		o.emit(r, m.name, m.val)
	}
}

// done drops the reference to the line so the parser does not keep it alive.
func (o *jsonObj) done() { o.line = nil }

func jsonError(t Type, e *scanErr) *Error {
	return &Error{Type: t, Offset: e.off, Reason: "invalid JSON: " + e.reason}
}
