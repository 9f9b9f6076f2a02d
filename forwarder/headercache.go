package forwarder

import (
	"time"
	"unsafe"
)

// headerCache is a Batch's memory of the header it wrote last: the text of
// HOSTNAME, APP-NAME, PROCID and MSGID, which a stream's messages share, and
// the TIMESTAMP up to the second, which consecutive lines mostly share. A
// message with the same fields (the same strings, compared by address and
// length) and a time in the same second copies them instead of checking and
// formatting them again; the output is the same either way. The zero value
// is empty. Not safe for concurrent use: each Batch has its own.
type headerCache struct {
	host, app, proc, msgID string // the fields text was built from
	text                   []byte // " HOSTNAME APP-NAME PROCID MSGID" as written
	clamped                uint64 // fields of text that were clamped (counted per use)

	sec   int64    // the Unix second of stamp; stamp is valid when ok
	stamp [19]byte // "2006-01-02T15:04:05"
	ok    bool
}

// same reports whether a and b are the same string: same length and same
// bytes in memory (equal strings elsewhere in memory count as different).
func same(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// appendHeaderFields appends " HOSTNAME APP-NAME PROCID MSGID" of m, each
// field as appendHeaderField writes it.
func (e *Encoder) appendHeaderFields(dst []byte, m *Message) []byte {
	dst = append(dst, ' ')
	dst = e.appendHeaderField(dst, m.Hostname, MaxHostname)
	dst = append(dst, ' ')
	dst = e.appendHeaderField(dst, m.AppName, MaxAppName)
	dst = append(dst, ' ')
	dst = e.appendHeaderField(dst, m.ProcID, MaxProcID)
	dst = append(dst, ' ')
	return e.appendHeaderField(dst, m.MsgID, MaxMsgID)
}

// appendFields writes " HOSTNAME APP-NAME PROCID MSGID" of m as
// appendHeaderFields does, from c when m's fields are the ones c holds.
func (e *Encoder) appendFields(dst []byte, m *Message, c *headerCache) []byte {
	if !same(m.Hostname, c.host) || !same(m.AppName, c.app) || !same(m.ProcID, c.proc) || !same(m.MsgID, c.msgID) || c.text == nil {
		t := e.appendHeaderFields(c.text[:0], m)
		c.host, c.app, c.proc, c.msgID, c.text = m.Hostname, m.AppName, m.ProcID, m.MsgID, t
		c.clamped = countClamped(m) // this message's were counted as t was built
		return append(dst, t...)
	}
	if c.clamped > 0 {
		e.clamped.Add(c.clamped)
	}
	return append(dst, c.text...)
}

// countClamped returns how many of m's header fields appendHeaderField
// clamps: too long, or with bytes outside %d33-126.
func countClamped(m *Message) uint64 {
	var n uint64
	for _, f := range [...]struct {
		s   string
		max int
	}{{m.Hostname, MaxHostname}, {m.AppName, MaxAppName}, {m.ProcID, MaxProcID}, {m.MsgID, MaxMsgID}} {
		if f.s != "" && (len(f.s) > f.max || !headerClean(f.s[:min(len(f.s), f.max)])) {
			n++
		}
	}
	return n
}

// appendStamp writes t as appendTimestamp does, copying the date and time
// up to the second from c when t falls in the second c holds.
func (e *Encoder) appendStamp(dst []byte, t time.Time, c *headerCache) []byte {
	if t.IsZero() {
		return append(dst, '-')
	}
	sec := t.Unix()
	if !c.ok || sec != c.sec {
		n := len(dst)
		dst = e.appendTimestamp(dst, t)
		if len(dst)-n != len(c.stamp)+8 { // "-": a year outside 0000-9999
			c.ok = false
			return dst
		}
		copy(c.stamp[:], dst[n:])
		c.sec, c.ok = sec, true
		return dst
	}
	dst = append(dst, c.stamp[:]...)
	us := t.Nanosecond() / 1000
	return append(dst, '.',
		byte('0'+us/100000), byte('0'+us/10000%10), byte('0'+us/1000%10),
		byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10), 'Z')
}
