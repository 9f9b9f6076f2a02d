package forwarder

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// sendDatagrams sends each message of it as one datagram, truncated to
// MaxDatagram (counted once written), and acknowledges it.
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
		if s := b.spans[it.next]; len(d) < s.end-s.start {
			w.n.truncated.Add(1) // once written: a retried write counts once
		}
		if w.dgramsOK++; w.dgramsOK >= 2 {
			w.failures, w.reached = 0, true
			if w.down.attempts > 0 {
				w.down.connected(w.f, time.Now())
			}
		}
		it.next++
	}
	w.ackItem(it)
	return nil
}

// datagram returns the message at s, cut to MaxDatagram. When MSG fits
// whole without STRUCTURED-DATA, STRUCTURED-DATA is replaced by "-": MSG
// is the log line as GitLab wrote it, which a SIEM parses (Sentinel's AMA
// path drops STRUCTURED-DATA), and the columns are a copy of it. Else MSG
// is cut, at a UTF-8 character boundary, keeping STRUCTURED-DATA when
// HEADER and STRUCTURED-DATA fit; when they do not, STRUCTURED-DATA is
// replaced by "-" too, so the datagram stays a well-formed message. The
// first cut is logged (warnCut).
func (w *writer) datagram(b *Batch, s span) []byte {
	limit := w.f.cfg.MaxDatagram
	msg := b.buf[s.start:s.end]
	if len(msg) <= limit {
		return msg
	}
	hasSD := s.sd < s.end && b.buf[s.sd] == '['
	if body := s.end - s.msg; hasSD && s.msg < s.end && s.sd-s.start+2+body <= limit {
		w.warnCut(cutSD, len(msg))
		return w.dropSD(b, s, limit) // MSG whole: HEADER, "-", SP, MSG
	}
	w.warnCut(cutMSG, len(msg))
	if s.msg-s.start <= limit {
		return msg[:cutUTF8(msg, limit, s.msg-s.start)]
	}
	if !hasSD {
		// No STRUCTURED-DATA to drop (RFC 3164, or "-"): the header alone
		// is over a tiny MaxDatagram.
		return msg[:cutUTF8(msg, limit, 0)]
	}
	return w.dropSD(b, s, limit)
}

// dropSD returns the message at s with its STRUCTURED-DATA replaced by
// "-", cut to limit (MSG first) when still longer, in w.dgram.
func (w *writer) dropSD(b *Batch, s span, limit int) []byte {
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

// The ways datagram cuts a message, for warnCut.
const (
	cutSD  = iota // STRUCTURED-DATA dropped, MSG whole
	cutMSG        // MSG cut (STRUCTURED-DATA kept when it fits)
)

// warnCut logs, once per Forwarder for each way (cutSD, cutMSG), that a
// message of n bytes was cut to MaxDatagram that way
// (messages_truncated_total counts them all), and what to do.
func (w *writer) warnCut(how, n int) {
	if w.cutWarned[how] || w.f.cfg.Logger == nil || w.f.ep == nil { // nil: a writer of TestDatagramCut
		return
	}
	w.cutWarned[how] = true
	what := "its STRUCTURED-DATA dropped, its MSG (the line) whole"
	if how == cutMSG {
		what = "its MSG (the line) cut: the collector gets part of the line"
	}
	hint := "send without STRUCTURED-DATA (forward.structured_data: false; --no-sd), or use tcp:// or tls://, which cut nothing"
	if w.f.cfg.MaxDatagram < MaxUDPDatagram {
		hint = "raise max_message_bytes (forward.max_message_bytes or --max-message-bytes, up to 65507) if the collector takes larger datagrams, " + hint
	}
	w.f.cfg.Logger.Warn("forwarder: a message longer than max_message_bytes was cut to fit a datagram: "+what+"; later ones cut this way are counted in messages_truncated_total, not logged",
		"destination", w.f.ep.raw, "bytes", n, "max_message_bytes", w.f.cfg.MaxDatagram, "hint", hint)
}

// MaxUDPDatagram is the largest payload of a UDP datagram over IPv4, in
// bytes: 65,535 less the 8-byte UDP and 20-byte IP headers (RFC 768, RFC
// 791), so the largest MaxDatagram a udp:// destination can use (the
// system refuses a longer datagram, EMSGSIZE).
const MaxUDPDatagram = 65507
