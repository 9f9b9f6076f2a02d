package forwarder

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Format selects the syslog wire format.
type Format uint8

// The formats.
const (
	// RFC5424 is the default: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG.
	RFC5424 Format = iota
	// RFC3164 is the BSD format for old collectors:
	// <PRI>Mmm dd hh:mm:ss HOSTNAME APP-NAME[PROCID]: MSG. It has no
	// STRUCTURED-DATA and no MSGID; both are left out.
	RFC3164
)

// String returns "rfc5424" or "rfc3164".
func (f Format) String() string {
	if f == RFC3164 {
		return "rfc3164"
	}
	return "rfc5424"
}

// DefaultSDID is the SD-ID of the STRUCTURED-DATA element that carries the
// columns. 32473 is the private enterprise number RFC 5612 reserves for
// documentation and examples; an organisation with its own IANA enterprise
// number should set Encoder.SDID to "gitlab@<its number>".
const DefaultSDID = "gitlab@32473"

// DefaultMetaSDID is the SD-ID of the element that carries the meta.*
// columns (GitLab's Labkit context keys) when Encoder.SDID is DefaultSDID.
// It is a private SD-ID (name@number), not the IANA-registered "meta" of
// RFC 5424 §7.3.
const DefaultMetaSDID = "meta@32473"

// MetaSDIDFor returns the SD-ID of the meta.* element that goes with the SD-ID
// sdID: "meta" followed by the "@<enterprise number>" of sdID, for example
// "meta@32473" for "gitlab@32473". An sdID without '@' (an IANA-registered
// name, which no GitLab element is) gives DefaultMetaSDID.
func MetaSDIDFor(sdID string) string {
	if sdID == "" {
		sdID = DefaultSDID
	}
	at := strings.LastIndexByte(sdID, '@')
	if at < 0 {
		return DefaultMetaSDID
	}
	return "meta" + sdID[at:]
}

// Field length limits of RFC 5424 §6 (in octets).
const (
	MaxHostname = 255
	MaxAppName  = 48
	MaxProcID   = 128
	MaxMsgID    = 32
	MaxSDName   = parser.MaxSDName
)

// Encoder writes Messages as syslog. The zero value writes RFC 5424 with
// the DefaultSDID. Set the exported fields before first use and do not
// change them afterwards; Append is then safe for concurrent use.
//
// STRUCTURED-DATA has up to two elements, in this order: [SDID ...] with
// every param not named meta.*, under its own name, and [MetaSDID ...] with
// every meta.X param as PARAM-NAME X (the "meta." dropped); an element with
// no params is left out. A param name that is not a valid SD-NAME (for X:
// what follows "meta.") is written as its parser.SDName short form, the same
// rule the parser names its meta.* columns by, so a parsed record's columns
// reach the wire under the names Parse gave them.
//
// The encoder never fails and never drops data silently. Whatever the input,
// the output is a well-formed message: header fields that are too long or
// hold characters outside printable US-ASCII are clamped (replaced by '_'),
// an SD-ID or PARAM-NAME that is not a valid SD-NAME is written in its short
// form, PARAM-VALUEs are escaped and invalid UTF-8 in them is replaced by
// U+FFFD. Every such change is counted in Stats. MSG is copied byte for
// byte, except that leading byte order marks and the line endings at its
// end (LF or CRLF; a CR not followed by LF stays) are removed (a BOM is
// never written).
type Encoder struct {
	// Format is RFC5424 (default) or RFC3164.
	Format Format
	// SDID is the SD-ID of the element with the columns; "" means
	// DefaultSDID.
	SDID string
	// MetaSDID is the SD-ID of the element with the meta.* columns; ""
	// means MetaSDIDFor(SDID), e.g. "meta@32473". When it equals SDID,
	// all params go into that one element.
	MetaSDID string
	// NoSD writes the NILVALUE "-" instead of STRUCTURED-DATA.
	NoSD bool
	// MaxMessageBytes, when above 0, is the longest message (framing left
	// out) Batch.Append writes with its STRUCTURED-DATA: a longer one is
	// written with the NILVALUE "-" in its place, MSG whole, and counted
	// in Stats.SDDropped. Escaping can make STRUCTURED-DATA several times
	// the line it comes from (each `]` or `"` of a value takes two bytes),
	// and a collector cuts or refuses a message over its own limit; MSG,
	// the line itself, is what a SIEM parses. MSG is never cut here. Set
	// it to the destination's Forwarder.MaxMessageBytes.
	MaxMessageBytes int

	sdHeads    atomic.Pointer[sdHeads] // built on first use from SDID and MetaSDID
	paramHeads headCache               // ` NAME="` of the PARAM-NAMEs written so far
	clamped    atomic.Uint64
	shortNames atomic.Uint64
	repaired   atomic.Uint64
	boms       atomic.Uint64
	timestamps atomic.Uint64
	sdDropped  atomic.Uint64
}

// EncoderStats counts the changes an Encoder made to keep its output valid.
type EncoderStats struct {
	// Clamped counts header fields (HOSTNAME, APP-NAME, PROCID, MSGID) that
	// were shortened to their RFC limit or had characters outside printable
	// US-ASCII replaced by '_'.
	Clamped uint64
	// ShortNames counts SD-IDs and PARAM-NAMEs that were not valid SD-NAMEs
	// (1-32 printable US-ASCII characters except '=', ']', '"' and space)
	// and were written in their parser.SDName short form. It stays 0 for
	// records from this module's parsers, whose column names always fit.
	ShortNames uint64
	// Repaired counts PARAM-VALUEs whose invalid UTF-8 was replaced by
	// U+FFFD: by the Encoder, or before, by the parser (Message.Repaired).
	Repaired uint64
	// BOMs counts byte order marks removed from the start of MSG.
	BOMs uint64
	// Timestamps counts times outside the years 0000-9999, written as "-".
	Timestamps uint64
	// SDDropped counts messages written without their STRUCTURED-DATA
	// because with it they were longer than MaxMessageBytes.
	SDDropped uint64
}

// Stats returns the encoder's counters.
func (e *Encoder) Stats() EncoderStats {
	return EncoderStats{
		Clamped:    e.clamped.Load(),
		ShortNames: e.shortNames.Load(),
		Repaired:   e.repaired.Load(),
		BOMs:       e.boms.Load(),
		Timestamps: e.timestamps.Load(),
		SDDropped:  e.sdDropped.Load(),
	}
}

// Append appends m, encoded, to dst and returns the extended buffer. It does
// not allocate when dst has room. No framing and no trailing newline are
// added.
func (e *Encoder) Append(dst []byte, m *Message) []byte {
	dst, _, _ = e.appendMessage(dst, m, nil)
	return dst
}

// appendMessage is Append that also returns the offsets (into the returned
// buffer) where STRUCTURED-DATA and MSG start. The SP before MSG belongs to
// the STRUCTURED-DATA part; without MSG, msg is len(dst). With c (a
// Batch's), the header fields and the timestamp's second are copied from c
// when they are the ones c holds, else written and kept in c.
func (e *Encoder) appendMessage(dst []byte, m *Message, c *headerCache) (out []byte, sd, msg int) {
	if e.Format == RFC3164 {
		return e.append3164(dst, m)
	}
	dst = appendPRI(dst, m)
	dst = append(dst, '1', ' ')
	if c != nil {
		dst = e.appendStamp(dst, m.Time, c)
		dst = e.appendFields(dst, m, c)
	} else {
		dst = e.appendTimestamp(dst, m.Time)
		dst = e.appendHeaderFields(dst, m)
	}
	dst = append(dst, ' ')
	sd = len(dst)
	if e.NoSD || (len(m.Params) == 0 && len(m.Elements) == 0) {
		dst = append(dst, '-')
	} else {
		for i := range m.Elements {
			dst = e.appendElement(dst, m.Elements[i].ID, m.Elements[i].Params)
		}
		if len(m.Params) > 0 {
			dst = e.appendSD(dst, m.Params)
			if m.Repaired > 0 {
				e.repaired.Add(uint64(m.Repaired))
			}
		}
	}
	dst, msg = e.appendBody(dst, m)
	return dst, sd, msg
}

// appendElement writes one SD-ELEMENT: [ID NAME="VALUE" ...], with ID and
// each NAME in their parser.SDName form. A param costs one lookup of its
// head (see headCache), as in appendSD, except a meta.* one, whose cached
// head drops the "meta." this element keeps.
func (e *Encoder) appendElement(dst []byte, id string, params []parser.Field) []byte {
	dst = append(dst, '[')
	dst = e.appendSDName(dst, id)
	for i := range params {
		p := &params[i]
		ph := e.paramHeads.get(p.Name)
		if ph == nil && !isMeta(p.Name) {
			ph = e.paramHeads.lookup(p.Name)
		}
		if ph != nil && !ph.meta {
			dst = e.appendParam(dst, ph, p)
			continue
		}
		dst = append(dst, ' ')
		dst = e.appendSDName(dst, p.Name)
		dst = append(dst, '=', '"')
		dst = e.appendParamValue(dst, p.Value)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendSD writes the STRUCTURED-DATA of a message with params: the element
// of the columns, then the element of the meta.* columns, each only when it
// has params. When both elements would have the same SD-ID (an SDID named
// "meta"), all params go into one element, which RFC 5424 allows.
//
// The first pass writes the columns and notes where the meta.* ones start;
// the second starts there (the parsers put them last, GeoIP columns aside).
// A param costs one lookup of its head (see headCache), which also says
// whether it is a meta.* param; a meta.* param costs a second one when it
// is written.
func (e *Encoder) appendSD(dst []byte, params []parser.Field) []byte {
	h := e.heads()
	open := false
	firstMeta := len(params)
	for i := range params {
		p := &params[i]
		ph := e.paramHeads.get(p.Name)
		if ph == nil {
			ph = e.paramHeads.lookup(p.Name)
		}
		if ph != nil && ph.meta || ph == nil && isMeta(p.Name) {
			firstMeta = min(firstMeta, i)
			continue
		}
		if !open {
			dst = e.appendHead(dst, h.main, h.mainShort)
			open = true
		}
		dst = e.appendParam(dst, ph, p)
	}
	if firstMeta < len(params) {
		if open && !h.same {
			dst = append(dst, ']')
			open = false
		}
		if !open {
			dst = e.appendHead(dst, h.meta, h.metaShort)
		}
		for i := firstMeta; i < len(params); i++ {
			p := &params[i]
			ph := e.paramHeads.get(p.Name)
			if ph != nil && ph.meta || ph == nil && isMeta(p.Name) {
				dst = e.appendParam(dst, ph, p)
			}
		}
	}
	return append(dst, ']')
}

// sdHeads are the openings of the two SD elements, "[" and the SD-ID as
// written, built once per Encoder so that Append neither allocates nor
// checks the SD-IDs for every message.
type sdHeads struct {
	main, meta           string
	mainShort, metaShort bool // the SD-ID is written in its short form (counted per message)
	same                 bool // both elements have the same SD-ID: write one
}

// heads returns the element openings, building them on first use.
func (e *Encoder) heads() *sdHeads {
	if h := e.sdHeads.Load(); h != nil {
		return h
	}
	id := cmp.Or(e.SDID, DefaultSDID)
	meta := cmp.Or(e.MetaSDID, MetaSDIDFor(e.SDID))
	h := &sdHeads{
		main: "[" + parser.SDName(id), mainShort: !parser.ValidSDName(id),
		meta: "[" + parser.SDName(meta), metaShort: !parser.ValidSDName(meta),
		same: id == meta,
	}
	e.sdHeads.Store(h)
	return h
}

// appendHead writes an element opening, counting an SD-ID in short form.
func (e *Encoder) appendHead(dst []byte, head string, short bool) []byte {
	if short {
		e.shortNames.Add(1)
	}
	return append(dst, head...)
}

// isMeta reports whether a param goes into the meta.* element.
func isMeta(name string) bool {
	return len(name) >= len(parser.MetaPrefix) && name[:len(parser.MetaPrefix)] == parser.MetaPrefix
}

// appendBody appends " MSG" (nothing when the line is empty) and returns
// where MSG starts.
func (e *Encoder) appendBody(dst []byte, m *Message) ([]byte, int) {
	body := e.trimMsg(m.Msg)
	if len(body) == 0 {
		return dst, len(dst)
	}
	dst = append(dst, ' ')
	msg := len(dst)
	return append(dst, body...), msg
}

// append3164 writes <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG.
func (e *Encoder) append3164(dst []byte, m *Message) (out []byte, sd, msg int) {
	dst = appendPRI(dst, m)
	t := m.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, months[mo-1]...)
	dst = append(dst, ' ')
	if d < 10 {
		dst = append(dst, ' ', byte('0'+d))
	} else {
		dst = append2(dst, d)
	}
	dst = append(dst, ' ')
	dst = appendClock(dst, h, mi, s)
	dst = append(dst, ' ')
	dst = e.appendHeaderField(dst, m.Hostname, MaxHostname)
	dst = append(dst, ' ')
	dst = e.appendTag(dst, m.AppName)
	if m.ProcID != "" {
		dst = append(dst, '[')
		dst = e.appendTag(dst, m.ProcID)
		dst = append(dst, ']')
	}
	dst = append(dst, ':')
	sd = len(dst)
	dst, msg = e.appendBody(dst, m)
	return dst, sd, msg
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendPRI writes <PRIVAL>. Out-of-range facility or severity values are
// reduced modulo their range so the PRI stays within 0-191.
func appendPRI(dst []byte, m *Message) []byte {
	pri := int(m.Facility%24)*8 + int(m.Severity%8)
	dst = append(dst, '<')
	switch {
	case pri >= 100:
		dst = append(dst, byte('0'+pri/100), byte('0'+pri/10%10), byte('0'+pri%10))
	case pri >= 10:
		dst = append(dst, byte('0'+pri/10), byte('0'+pri%10))
	default:
		dst = append(dst, byte('0'+pri))
	}
	return append(dst, '>')
}

// appendTimestamp writes t in UTC as 2006-01-02T15:04:05.000000Z, or the
// NILVALUE when t is zero or its year has not four digits.
func (e *Encoder) appendTimestamp(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, '-')
	}
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		e.timestamps.Add(1)
		return append(dst, '-')
	}
	h, mi, s := t.Clock()
	us := t.Nanosecond() / 1000
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append2(dst, int(mo))
	dst = append(dst, '-')
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = appendClock(dst, h, mi, s)
	dst = append(dst, '.',
		byte('0'+us/100000), byte('0'+us/10000%10), byte('0'+us/1000%10),
		byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10), 'Z')
	return dst
}

// appendClock writes hh:mm:ss.
func appendClock(dst []byte, h, mi, s int) []byte {
	return append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// appendHeaderField writes a HOSTNAME, APP-NAME, PROCID or MSGID: "" as
// "-", at most max octets, bytes outside %d33-126 replaced by '_'.
func (e *Encoder) appendHeaderField(dst []byte, s string, max int) []byte {
	if s == "" {
		return append(dst, '-')
	}
	clamped := false
	if len(s) > max {
		s = s[:max]
		clamped = true
	}
	if headerClean(s) {
		dst = append(dst, s...)
	} else {
		clamped = true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < 33 || c > 126 {
				c = '_'
			}
			dst = append(dst, c)
		}
	}
	if clamped {
		e.clamped.Add(1)
	}
	return dst
}

// headerClean reports whether every byte of s is in %d33-126, eight bytes
// at a time (a string of 8 bytes or more ends with one overlapping check).
func headerClean(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c < 33 || c > 126 {
				return false
			}
		}
		return true
	}
	for i := 0; i+8 < n; i += 8 {
		if headerBad8(load8s(s[i:])) != 0 {
			return false
		}
	}
	return headerBad8(load8s(s[n-8:])) == 0
}

// appendTag writes an RFC 3164 TAG (APP-NAME or PROCID): like a header
// field, but ':', '[' and ']' are also replaced so the TAG stays parseable.
func (e *Encoder) appendTag(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	clamped := false
	if len(s) > MaxAppName {
		s = s[:MaxAppName]
		clamped = true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 || c == ':' || c == '[' || c == ']' {
			c = '_'
			clamped = true
		}
		dst = append(dst, c)
	}
	if clamped {
		e.clamped.Add(1)
	}
	return dst
}

// sdNameBad marks the bytes an SD-NAME cannot hold: everything outside
// %d33-126, and '=', ']' and '"'.
var sdNameBad = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 33 || c > 126 || c == '=' || c == ']' || c == '"'
	}
	return t
}()

// sdValueSpecial marks the bytes a PARAM-VALUE needs attention for: the
// three that are escaped, and every non-ASCII byte (checked for UTF-8).
var sdValueSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c == ']' || c >= utf8.RuneSelf
	}
	return t
}()

// appendSDName writes an SD-ID or PARAM-NAME: s when it is a valid SD-NAME
// (1-32 printable US-ASCII characters except '=', ']', '"' and space), else
// its parser.SDName short form (counted).
//
// The check is parser.ValidSDName eight bytes at a time: a name of 8 bytes
// or more ends with one overlapping 8-byte check instead of a bytewise
// tail. Checking is cheaper than any cache shared by concurrent encoders
// would be: the column names are 2-32 bytes, so 1-4 word checks.
func (e *Encoder) appendSDName(dst []byte, s string) []byte {
	n := len(s)
	switch {
	case n >= 8 && n <= MaxSDName:
		for i := 0; i+8 < n; i += 8 {
			if nameBad8(load8s(s[i:])) != 0 {
				return e.appendShortName(dst, s)
			}
		}
		if nameBad8(load8s(s[n-8:])) != 0 {
			return e.appendShortName(dst, s)
		}
	case n > 0 && n < 8:
		for i := 0; i < n; i++ {
			if sdNameBad[s[i]] {
				return e.appendShortName(dst, s)
			}
		}
	default:
		return e.appendShortName(dst, s)
	}
	return append(dst, s...)
}

// appendParamHead writes ` NAME="` for the PARAM-NAME name, as
// appendSDName would write NAME (for a meta.* name: what follows "meta."),
// from the Encoder's cache of heads.
func (e *Encoder) appendParamHead(dst []byte, name string) []byte {
	h := e.paramHeads.lookup(name)
	if h == nil {
		return e.appendParamHeadSlow(dst, name)
	}
	if h.short {
		e.shortNames.Add(1)
	}
	return append(dst, h.head()...)
}

// appendParamHeadSlow is appendParamHead for a name whose cache slot holds
// another name.
func (e *Encoder) appendParamHeadSlow(dst []byte, name string) []byte {
	if isMeta(name) {
		name = name[len(parser.MetaPrefix):]
	}
	dst = append(dst, ' ')
	dst = e.appendSDName(dst, name)
	return append(dst, '=', '"')
}

// paramRoom is the free room appendParam makes for a param whose value is
// at most 16 bytes: the head copied whole, the value and the closing quote.
const paramRoom = headMax + 16 + 1

// appendParam writes ` NAME="VALUE"` for p, whose head is h (nil: not in
// the cache). A value of at most 16 bytes that needs no escaping, the
// common case, is checked and copied a word at a time, and the head as one
// block, without a call to memmove.
func (e *Encoder) appendParam(dst []byte, h *paramHead, p *parser.Field) []byte {
	if h == nil {
		dst = e.appendParamHeadSlow(dst, p.Name)
		dst = e.appendParamValue(dst, p.Value)
		return append(dst, '"')
	}
	if h.short {
		e.shortNames.Add(1)
	}
	v := p.Value
	if len(v) > 16 {
		dst = append(dst, h.head()...)
		dst = e.appendParamValue(dst, v)
		return append(dst, '"')
	}
	n := len(dst)
	if cap(dst)-n < paramRoom {
		dst = slices.Grow(dst, paramRoom)
	}
	d := dst[n : n+paramRoom]
	*(*[headMax]byte)(d) = h.text
	k := int(h.n)
	if !putPlain16(d[k:], v) {
		dst = e.appendParamValueSlow(dst[:n+k], v, 0)
		return append(dst, '"')
	}
	d[k+len(v)] = '"'
	return dst[:n+k+len(v)+1]
}

// appendShortName writes the short form of a name that is not an SD-NAME.
func (e *Encoder) appendShortName(dst []byte, s string) []byte {
	e.shortNames.Add(1)
	return parser.AppendSDName(dst, s)
}

// appendParamValue writes v escaped as a PARAM-VALUE: '"', '\' and ']' get
// a backslash, invalid UTF-8 becomes U+FFFD, everything else is kept.
//
// The common value needs none of that: it is checked sixteen bytes (two
// words) at a time, the last 16 overlapping what was checked before
// instead of a bytewise tail, and copied whole.
func (e *Encoder) appendParamValue(dst []byte, v []byte) []byte {
	n := len(v)
	if n < 8 {
		for i := 0; i < n; i++ {
			if sdValueSpecial[v[i]] {
				return e.appendParamValueSlow(dst, v, i)
			}
		}
		return append(dst, v...)
	}
	w := v
	for len(w) > 16 {
		if valueSpecial8(load8(w))|valueSpecial8(load8(w[8:])) != 0 {
			return e.appendParamValueSlow(dst, v, n-len(w))
		}
		w = w[16:]
	}
	if valueSpecial8(load8(v[max(n-16, 0):]))|valueSpecial8(load8(v[n-8:])) != 0 {
		return e.appendParamValueSlow(dst, v, max(n-16, 0))
	}
	return append(dst, v...)
}

// appendParamValueSlow is appendParamValue for a value with a byte that
// needs attention at or after from; v[:from] is plain.
func (e *Encoder) appendParamValueSlow(dst []byte, v []byte, from int) []byte {
	start := 0
	repaired := false
	for i := from; i < len(v); i++ {
		for i+8 <= len(v) && valueSpecial8(load8(v[i:])) == 0 {
			i += 8
		}
		if i >= len(v) {
			break
		}
		c := v[i]
		if !sdValueSpecial[c] {
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, v[start:i]...)
			dst = append(dst, '\\', c)
			start = i + 1
			continue
		}
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, v[start:i]...)
			dst = append(dst, "\uFFFD"...)
			start = i + 1
			repaired = true
			continue
		}
		i += size - 1
	}
	dst = append(dst, v[start:]...)
	if repaired {
		e.repaired.Add(1)
	}
	return dst
}

// trimMsg removes the leading UTF-8 byte order marks (each counted: a
// file saved twice by an editor may begin with two) and the line endings,
// LF or CRLF, at the end: a CR not followed by LF is a byte of the line
// and stays (a line read from "x\r\r\n" is "x\r", as the parsers'
// columns have it).
func (e *Encoder) trimMsg(b []byte) []byte {
	for len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
		e.boms.Add(1)
	}
	for n := len(b); n > 0 && b[n-1] == '\n'; n = len(b) {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}
