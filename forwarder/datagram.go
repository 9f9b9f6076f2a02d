package forwarder

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// sendDatagrams sends each message of it as one datagram, truncated to
// MaxDatagram, and acknowledges it.
func (w *writer) sendDatagrams(it *item) error {
	b := it.b
	w.sending = it
	defer func() { w.sending = nil }()
	for it.next < len(b.spans) {
		d := w.datagram(b, b.spans[it.next])
		_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
		n, err := w.conn.Write(d)
		if err != nil {
			if err := w.recover(fmt.Errorf("write: %w", err)); err != nil {
				w.nack(it, err)
				return err
			}
			continue
		}
		w.n.bytes.Add(uint64(n))
		w.n.messages.Add(1)
		if w.dgramsOK++; w.dgramsOK >= 2 {
			w.failures = 0
			if w.down.attempts > 0 {
				w.down.connected(w.f, time.Now())
			}
		}
		it.next++
	}
	w.ackItem(it)
	return nil
}

// datagram returns the message at s, cut to MaxDatagram. MSG is cut first,
// at a UTF-8 character boundary; when HEADER and STRUCTURED-DATA alone are
// too long, STRUCTURED-DATA is replaced by "-" so the datagram stays a
// well-formed message.
func (w *writer) datagram(b *Batch, s span) []byte {
	limit := w.f.cfg.MaxDatagram
	msg := b.buf[s.start:s.end]
	if len(msg) <= limit {
		return msg
	}
	w.n.truncated.Add(1)
	if s.msg-s.start <= limit {
		return msg[:cutUTF8(msg, limit, s.msg-s.start)]
	}
	if s.sd >= s.end || b.buf[s.sd] != '[' {
		// No STRUCTURED-DATA to drop (RFC 3164, or "-"): the header alone
		// is over a tiny MaxDatagram.
		return msg[:cutUTF8(msg, limit, 0)]
	}
	head := b.buf[s.start:s.sd]
	d := append(w.dgram[:0], head...)
	d = append(d, '-')
	if s.msg < s.end {
		d = append(d, ' ')
		body := b.buf[s.msg:s.end]
		if room := limit - len(d); room > 0 {
			d = append(d, body[:cutUTF8(body, room, 0)]...)
		}
	}
	if len(d) > limit { // the header alone is too long for a tiny MaxDatagram
		d = d[:cutUTF8(d, limit, 0)]
	}
	w.dgram = d
	return d
}

// cutUTF8 returns n, moved back (not before min) so that p[:n] does not end
// inside a UTF-8 sequence; len(p) when n is past the end.
func cutUTF8(p []byte, n, min int) int {
	if n >= len(p) {
		return len(p)
	}
	for k := n; k > min && k > n-utf8.UTFMax; k-- {
		if utf8.RuneStart(p[k]) {
			return k
		}
	}
	return n
}
