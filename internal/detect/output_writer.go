package detect

import (
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// AlertWriter writes alerts as syslog messages, byte for byte as
// Alert.AppendMessage does, at less cost per alert: it keeps what does
// not change from one alert to the next, the alert element's fields of
// each rule description (rule, name, kind, severity, tactic, technique)
// with their JSON, and the JSON member head (`,"name":`) of each column
// name, so that an alert costs only its own values. It writes the
// record's columns to the usual element and to MSG in one walk.
//
// The zero value is ready to use. An AlertWriter is not safe for
// concurrent use: give each goroutine that encodes alerts its own.
type AlertWriter struct {
	infos [infoSlots]*infoText
	heads [headSlots]memberHead
	raw   jsonstr.Head // `,"raw":`
}

// infoSlots and headSlots are the sizes of AlertWriter's caches: slots of
// rule descriptions (a few dozen rules) and of column names (the parsers
// name about a hundred), chosen by the address of the rule id or name.
const (
	infoSlots = 256
	headSlots = 512
)

// cacheProbes is how many slots from its own an entry of AlertWriter's
// caches may take (linear probing), so that two rules or names whose
// addresses share a slot do not evict each other at every alert.
const cacheProbes = 8

// infoText is the part of an alert that depends on its Info alone.
type infoText struct {
	info   Info           // the Info it was built from (compared by identity: see sameInfo)
	fields []parser.Field // rule .. technique, as appendFields adds them
	json   []byte         // `{"rule":...` through technique, as appendJSON writes them
	bits   uint64         // the union of the fields' nameBits
}

// memberHead is a column name's JSON member head; ok is false for a name
// that jsonstr.NewHead refuses (written with jsonstr.AppendMember).
type memberHead struct {
	name string
	head jsonstr.Head
	ok   bool
}

// AppendMessage is Alert.AppendMessage: it fills m with a and writes MSG
// into msg[:0], which it returns (grown if needed) for the next alert.
// The message, once encoded, is the one a.AppendMessage gives, byte for
// byte; m's alert element shares memory with the writer's cache and with
// msg, so m is valid until the next call.
func (w *AlertWriter) AppendMessage(a *Alert, m *forwarder.Message, sdid string, o *forwarder.RecordOptions, msg []byte) []byte {
	ps, id := a.setHeader(m, sdid, o)
	it := w.info(&a.Info)
	// The formatted values go first into msg, MSG after them.
	ps, msg, t := a.appendRest(fieldBuf{ps: append(ps, it.fields...), b: msg[:0]})
	m.Elements = append(m.Elements[:0], forwarder.Element{ID: id, Params: ps})
	start := len(msg)
	msg = append(msg, it.json...)
	for i := len(it.fields); i < len(ps); i++ {
		msg = a.appendField(msg, ps, i, t)
	}
	if a.Event != nil {
		bits := it.bits
		for i := len(it.fields); i < len(ps); i++ {
			bits |= nameBit(ps[i].Name)
		}
		msg, m.Params = w.appendEvent(msg, m.Params, a.Event, ps, bits)
	} else {
		clear(m.Params)
		m.Params = m.Params[:0]
	}
	msg = append(msg, '}')
	m.Msg = msg[start:]
	return msg
}

// appendEvent writes ev's columns, in one walk, as the params of the
// usual element (into params, reused, which it returns) and as the JSON
// members appendJSON writes after fields (into dst): those whose name is
// neither a field's nor an earlier column's; inFields is the union of the
// fields' nameBits. Then it writes the raw line.
func (w *AlertWriter) appendEvent(dst []byte, params []parser.Field, ev *Event, fields []parser.Field, inFields uint64) ([]byte, []parser.Field) {
	cols := ev.Columns
	old := len(params)
	if cap(params) < len(cols) {
		params = make([]parser.Field, len(cols), len(cols)+len(cols)/4)
	} else {
		params = params[:len(cols)]
	}
	var inCols uint64
	for i := range cols {
		c := &cols[i]
		params[i] = parser.Field{Name: c.Name, Value: readOnly(c.Value)}
		bit := nameBit(c.Name)
		if (inFields&bit != bit || !hasField(fields, c.Name)) &&
			(inCols&bit != bit || !hasColumn(cols[:i], c.Name)) { // the first of a name only
			dst = w.member(dst, c.Name, c.Value)
		}
		inCols |= bit
	}
	if old > len(cols) {
		clear(params[len(cols):old])
	}
	if w.raw == (jsonstr.Head{}) {
		w.raw, _ = jsonstr.NewHead("raw")
	}
	return jsonstr.AppendValue(dst, &w.raw, ev.Raw), params
}

// member appends the JSON member name:value as jsonstr.AppendMember does,
// from the cached head of name.
func (w *AlertWriter) member(dst []byte, name, value string) []byte {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(name))))
	home := int((p ^ uint64(len(name))) * 0x9E3779B97F4A7C15 >> (64 - 9))
	h := &w.heads[home]
	for i := range cacheProbes { // the name's slot, or a free one, among the next few
		c := &w.heads[(home+i)%headSlots]
		if sameString(c.name, name) {
			h = c
			break
		}
		if c.name == "" {
			h = c
			h.head, h.ok = jsonstr.NewHead(name)
			h.name = name
			break
		}
	}
	if !sameString(h.name, name) { // all taken: the name replaces its home slot's
		h.head, h.ok = jsonstr.NewHead(name)
		h.name = name
	}
	if !h.ok {
		return jsonstr.AppendMember(dst, name, value)
	}
	return jsonstr.AppendValue(dst, &h.head, value)
}

// info returns the cached part of the alerts of in, building it when its
// slot holds another Info.
func (w *AlertWriter) info(in *Info) *infoText {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(in.ID))))
	home := int((p ^ uint64(len(in.ID))) * 0x9E3779B97F4A7C15 >> (64 - 8))
	slot := &w.infos[home]
	for i := range cacheProbes { // its slot, or a free one, among the next few
		s := &w.infos[(home+i)%infoSlots]
		if *s == nil {
			slot = s
			break
		}
		if sameInfo(&(*s).info, in) {
			return *s
		}
	}
	it := newInfoText(in) // new, or all taken: it replaces its home slot's
	*slot = it
	return it
}

// newInfoText builds the part of an alert that depends on in alone, with
// the reference code (fieldBuf.info and Alert.appendField).
func newInfoText(in *Info) *infoText {
	it := &infoText{info: *in}
	var f fieldBuf
	f.info(in)
	it.fields = f.ps
	a := &Alert{Info: *in}
	it.json = []byte{'{'}
	for i := range it.fields {
		it.json = a.appendField(it.json, it.fields, i, nil)
		it.bits |= nameBit(it.fields[i].Name)
	}
	return it
}

// sameInfo reports whether a and b are the same description: the same
// strings (by address and length, see sameString), the same kind and
// severity. Equal strings elsewhere in memory count as different, which
// only costs a rebuild.
func sameInfo(a, b *Info) bool {
	return sameString(a.ID, b.ID) && sameString(a.Name, b.Name) && a.Kind == b.Kind && a.Severity == b.Severity &&
		sameStrings(a.Tactic, b.Tactic) && sameStrings(a.Technique, b.Technique)
}

// sameStrings reports whether a and b hold the same strings (sameString).
func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameString(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameString reports whether a and b are the same string: the same length
// and the same bytes in memory, or both empty. A cache entry holds the
// string it was built for, which keeps its bytes alive, so no other
// string has its address while the entry exists (and a string's bytes
// never change).
func sameString(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b))
}
