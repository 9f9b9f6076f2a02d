package parser

import (
	"bytes"
	"time"
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

// metaLinear is the number of meta.* keys up to which a repeated key is
// found by comparing names; beyond it an index map keeps the work per key
// constant, so a line with thousands of meta.* keys parses in linear time.
const metaLinear = 16

// maxMetaIndex is the index map size above which the map is dropped after
// its line instead of cleared, so one huge line does not keep it large.
const maxMetaIndex = 1024

// metaSlot is one meta.* key of the line.
type metaSlot struct {
	name string
	id   ColID // the name's ColID, NumColIDs when it has none
	val  span
}

// jsonObj scans one JSON object line and remembers the spans of the values a
// parser keeps. It is embedded in the Audit, Application and Auth parsers and
// reused from line to line.
type jsonObj struct {
	line  []byte
	slots [nAuditSlots]span
	set   uint64 // bit n is set when a key of the line wrote slots[n]
	meta  []metaSlot
	names map[string]string // interned meta.* names
	// metaIdx maps a meta.* column name to its index in meta once the line
	// has more than metaLinear of them; nil or empty otherwise.
	metaIdx map[string]int32
	// metaProbes counts the name comparisons and index look-ups setMeta
	// made since the parser was created: the work the tests check is linear.
	metaProbes int
	kbuf       []byte       // unescaped key
	cbuf       bytes.Buffer // compacted object/array values
	keys       *keyTable    // the parser's keys: appKeys, auditKeys or authKeys
	none       span         // always the zero span: what a missing value reads as
}

// scan validates line as one JSON object and fills o.slots and o.meta.
func (o *jsonObj) scan(line []byte) *scanErr {
	o.line = line
	o.reset()
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
	end, ok := o.walkFast(i, 1, srcTop)
	if !ok {
		o.reset()
		var err *scanErr
		if end, err = o.walk(i, 1, srcTop); err != nil {
			return err
		}
	}
	if j := skipWS(line, end); j != len(line) {
		return &scanErr{j, "invalid character " + quoteByte(line[j]) + " after top-level value"}
	}
	return nil
}

// reset forgets the slots and meta.* keys of the previous line (or of an
// abandoned fast walk).
func (o *jsonObj) reset() {
	o.slots = [nAuditSlots]span{}
	o.set = 0
	clear(o.meta)
	o.meta = o.meta[:0]
	if len(o.metaIdx) > maxMetaIndex {
		o.metaIdx = nil
	} else {
		clear(o.metaIdx)
	}
}

// walk validates the object at o.line[i] == '{' (depth is the object's own
// depth) and records the values the parser keeps. src says whether this is
// the top-level object or the nested details object.
func (o *jsonObj) walk(i, depth int, src byte) (int, *scanErr) {
	b := o.line
	if depth > maxDepth {
		return 0, &scanErr{i, "exceeded max nesting depth"}
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, &scanErr{i, "expected object key"}
		}
		kend, kflags, err := scanString(b, i)
		if err != nil {
			return 0, err
		}
		k := b[i+1 : kend-1]
		if kflags != 0 {
			o.kbuf = appendUnescaped(o.kbuf[:0], k)
			k = o.kbuf
		}
		k = trimKey(k)
		i = kend
		if i >= len(b) || b[i] != ':' {
			if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
				return 0, &scanErr{i, "expected ':' after object key"}
			}
		}
		i = skipWS(b, i+1)

		var end int
		if act := o.keys.find(k); act >= 0 && act < actMeta {
			s, err := o.scanSpan(i, depth, src)
			if err != nil {
				return 0, err
			}
			if replaces(&o.slots[act], src, s.blank()) {
				o.slots[act] = s
				o.set |= 1 << act
			}
			end = int(s.end)
		} else if src == srcTop && act == actDetails {
			// A later "details" replaces an earlier one, as in a map.
			for n := range o.slots {
				if o.slots[n].src == srcDetails {
					o.slots[n] = span{}
				}
			}
			if i < len(b) && b[i] == '{' {
				end, err = o.walk(i, depth+1, srcDetails)
			} else {
				end, _, err = scanValue(b, i, depth)
			}
		} else if src == srcTop && len(k) >= len(MetaPrefix) && string(k[:len(MetaPrefix)]) == MetaPrefix {
			s, err := o.scanSpan(i, depth, src)
			if err != nil {
				return 0, err
			}
			o.setMeta(k, s)
			end = int(s.end)
		} else {
			end, _, err = scanValue(b, i, depth)
		}
		if err != nil {
			return 0, err
		}

		i = end
		if i >= len(b) || (b[i] != ',' && b[i] != '}') {
			i = skipWS(b, i)
		}
		if i >= len(b) {
			return 0, &scanErr{i, "unexpected end of JSON"}
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, &scanErr{i, "expected ',' or '}' after object value"}
		}
	}
}

// scanSpan scans the value at line[i] (inside a container at depth).
func (o *jsonObj) scanSpan(i, depth int, src byte) (span, *scanErr) {
	b := o.line
	if i < len(b) && b[i] == '"' {
		end, flags, err := scanString(b, i)
		var alias byte
		if flags == 0 && end-i > 2 {
			alias = aliasString
		}
		return span{start: int32(i), end: int32(end), kind: kindString, flags: flags, src: src, alias: alias}, err
	}
	end, kind, err := scanValue(b, i, depth)
	var alias byte
	if kind == kindNumber {
		alias = aliasNumber
	}
	return span{start: int32(i), end: int32(end), kind: kind, src: src, alias: alias}, err
}

// setMeta records a meta.* key; a repeated key keeps its first position and
// takes the last value.
func (o *jsonObj) setMeta(k []byte, s span) {
	name := o.intern(k)
	o.setMetaName(name, metaID(name), s)
}

// setMetaName is setMeta for the column name of the key, whose ColID is id.
func (o *jsonObj) setMetaName(name string, id ColID, s span) {
	if len(o.meta) <= metaLinear {
		for n := range o.meta {
			o.metaProbes++
			if o.meta[n].name == name {
				o.meta[n].val = s
				return
			}
		}
		o.meta = append(o.meta, metaSlot{name: name, id: id, val: s})
		return
	}
	if len(o.metaIdx) == 0 {
		o.indexMeta()
	}
	o.metaProbes++
	if n, ok := o.metaIdx[name]; ok {
		o.meta[n].val = s
		return
	}
	o.metaIdx[name] = int32(len(o.meta))
	o.meta = append(o.meta, metaSlot{name: name, id: id, val: s})
}

// indexMeta fills metaIdx with the meta.* keys recorded so far.
func (o *jsonObj) indexMeta() {
	if o.metaIdx == nil {
		o.metaIdx = make(map[string]int32)
	}
	for n := range o.meta {
		o.metaProbes++
		o.metaIdx[o.meta[n].name] = int32(n)
	}
}

// intern returns the column name of the meta.* key k (metaColumn), reusing
// an earlier copy so that the usual handful of meta.* keys cost no
// allocation per line.
func (o *jsonObj) intern(k []byte) string {
	if s, ok := o.names[string(k)]; ok {
		return s
	}
	if act := o.keys.find(k); act >= actMeta {
		return knownMetaNames[act-actMeta]
	}
	s := metaColumn(string(k))
	if o.names == nil {
		o.names = make(map[string]string)
	}
	if len(o.names) < maxNames {
		o.names[string(k)] = s
	}
	return s
}

// metaColumn returns the column name of the meta.* key k: k itself when
// what follows MetaPrefix is a valid SD-NAME, else MetaPrefix and the SDName
// short form of what follows it.
func metaColumn(k string) string {
	rest := k[len(MetaPrefix):]
	if ValidSDName(rest) {
		return k
	}
	return MetaPrefix + SDName(rest)
}

// empty reports whether a slot yields no column: missing, null or "".
func (s span) empty() bool {
	return s.kind == kindNone || s.kind == kindNull || (s.kind == kindString && s.end-s.start == 2)
}

// emit adds the column name with the value of s to r. Strings are unescaped
// (invalid UTF-8 becomes U+FFFD, counted in r.Repaired), numbers and booleans keep their JSON text,
// objects and arrays their compact JSON text; null is omitted. It returns the
// value added, or nil. The common cases, a number or a non-empty string
// without escapes or non-ASCII bytes (s.alias != 0), alias the line without
// further checks.
func (o *jsonObj) emit(r *Record, name string, s *span) []byte {
	if s.alias == 0 {
		return o.emitSlow(r, name, s)
	}
	q := int32(s.alias) - 1
	v := o.line[s.start+q : s.end-q : s.end-q] // capped: an append copies, not overwrites the line
	r.Fields = append(r.Fields, Field{Name: name, Value: v})
	return v
}

func (o *jsonObj) emitSlow(r *Record, name string, s *span) []byte {
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
		buf, repaired := appendUnescapedRepair(buf, raw)
		r.countRepaired(repaired)
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
		buf, repaired := appendValidUTF8(buf, o.cbuf.Bytes())
		r.countRepaired(repaired)
		r.commit(name, buf, start)
	default:
		r.add(name, v)
		return v
	}
	return r.Fields[len(r.Fields)-1].Value
}

// emitTime adds the column name with the value of s when it is a time
// parseISOTime reads, and returns that time; a value that is not one (such
// as "-") is left out.
func (o *jsonObj) emitTime(r *Record, name string, s *span) (time.Time, bool) {
	v := o.emit(r, name, s)
	if v == nil {
		return time.Time{}, false
	}
	t, ok := parseISOTime(v)
	if !ok {
		r.dropLast()
	}
	return t, ok
}

// emitMeta adds the meta.* columns in the order they first appeared,
// noting the positions of those with a ColID on a record with index (see
// Record.Col).
func (o *jsonObj) emitMeta(r *Record) {
	indexed := r.indexed
	for n := range o.meta {
		m := &o.meta[n]
		i := len(r.Fields)
		if o.emit(r, m.name, &m.val); len(r.Fields) > i && indexed {
			r.noteCol(m.id, i)
		}
	}
}

// done drops the reference to the line so the parser does not keep it alive.
func (o *jsonObj) done() {
	o.line = nil
	if o.cbuf.Cap() > maxKeptBuf {
		o.cbuf = bytes.Buffer{}
	}
	if cap(o.kbuf) > maxKeptBuf {
		o.kbuf = nil
	}
}

// maxKeptBuf is the capacity in bytes above which done drops a scratch
// buffer, so that one huge line does not hold its size for the parser's
// life.
const maxKeptBuf = 1 << 20

func jsonError(t Type, e *scanErr) *Error {
	return &Error{Type: t, Offset: e.off, Reason: "invalid JSON: " + e.reason}
}
