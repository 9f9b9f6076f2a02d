package forwarder

import "bytes"

// Batch is a reusable buffer of encoded messages and their boundaries. A
// Forwarder sends a batch as a unit and acknowledges it as a unit. The zero
// value is ready to use; Reset keeps the memory for the next batch.
//
// A batch holds its messages already framed for the wire, so that the
// Forwarder writes the batch's buffer to the socket as it is, without
// copying it again. A new batch is framed with octet counting (the default
// of TCP and TLS destinations). The first time a batch is sent to a
// Forwarder that frames differently (newline framing, datagrams), the
// Forwarder re-frames it once and the batch keeps that framing, across
// Reset, for the messages appended later. Reusing batches is therefore what
// makes sending cheap; Message and Size never include the framing.
type Batch struct {
	buf     []byte  // the framed messages, back to back
	spans   []span  // where each message (without its framing) is in buf
	size    int     // encoded bytes without framing
	escaped int     // newline framing: messages whose LF or CR bytes became spaces
	framing framing // how buf is framed; kept across Reset
	width   int     // octet counting: length of the last prefix ("123 " is 4)
	lastEsc bool    // newline framing: the last message was counted in escaped
	hc      headerCache
}

// span locates one message in Batch.buf: [start, end), with STRUCTURED-DATA
// starting at sd and MSG at msg (msg == end when there is no MSG).
type span struct {
	start, sd, msg, end int
}

// zeros is the placeholder written where an octet count goes.
const zeros = "00000000000000000000"

// Append encodes m with e and adds it to the batch, framed.
//
// With octet counting the count goes in front of the message, and its width
// is only known after encoding. Append reserves as many bytes as the
// previous message's count took; only when the width changes is the message
// moved, which for a stream of similar lines is rare.
//
// A message longer than e.MaxMessageBytes (when set) with its
// STRUCTURED-DATA is written with "-" in its place (see Encoder).
func (b *Batch) Append(e *Encoder, m *Message) {
	pos, start := b.openFrame()
	var sd, msg int
	b.buf, sd, msg = e.appendMessage(b.buf, m, &b.hc)
	if e.MaxMessageBytes > 0 && e.Format != RFC3164 && len(b.buf)-start > e.MaxMessageBytes && sd < len(b.buf) && b.buf[sd] == '[' {
		msg = b.dropSD(sd, msg)
		e.sdDropped.Add(1)
	}
	b.closeFrame(pos, start, sd, msg)
}

// dropSD replaces the STRUCTURED-DATA of the message that ends buf, from
// sd to MSG at msg (or to the end, without MSG), by the NILVALUE "-", and
// returns where MSG starts now.
func (b *Batch) dropSD(sd, msg int) int {
	end := len(b.buf)
	b.buf[sd] = '-'
	if msg >= end {
		b.buf = b.buf[:sd+1]
		return sd + 1
	}
	b.buf[sd+1] = ' '
	n := copy(b.buf[sd+2:], b.buf[msg:end])
	b.buf = b.buf[:sd+2+n]
	return sd + 2
}

// AppendRaw adds an already encoded message to the batch, framed: a
// syslog message received by the network inputs and forwarded unchanged.
// sd and msg are the offsets in m where STRUCTURED-DATA and MSG start
// (len(m) for none); they tell a datagram destination where it may cut.
func (b *Batch) AppendRaw(m []byte, sd, msg int) {
	pos, start := b.openFrame()
	b.buf = append(b.buf, m...)
	b.closeFrame(pos, start, start+sd, start+msg)
}

// AppendFrom adds message i of src (0 ≤ i < src.Len()) to the batch,
// framed as b frames, with the places of its STRUCTURED-DATA and MSG.
func (b *Batch) AppendFrom(src *Batch, i int) {
	sp := src.spans[i]
	b.AppendRaw(src.buf[sp.start:sp.end], sp.sd-sp.start, sp.msg-sp.start)
}

// openFrame reserves the octet count's place and returns where the frame and
// the message start.
func (b *Batch) openFrame() (pos, start int) {
	pos = len(b.buf)
	if b.framing == framingOctet {
		w := b.width
		if w == 0 {
			w = 4 // "NNN ": most messages are 100-999 bytes
		}
		b.buf = append(b.buf, zeros[:w]...)
	}
	return pos, len(b.buf)
}

// closeFrame frames the message written at start and records its span.
func (b *Batch) closeFrame(pos, start, sd, msg int) {
	end := len(b.buf)
	n := end - start
	switch b.framing {
	case framingOctet:
		w := start - pos
		if need := countWidth(n); need != w {
			if need > w {
				b.buf = append(b.buf, zeros[:need-w]...)
			}
			d := need - w
			copy(b.buf[start+d:], b.buf[start:end])
			start, sd, msg, end = start+d, sd+d, msg+d, end+d
			b.buf = b.buf[:end]
			b.width = need
		}
		putCount(b.buf[pos:start], n)
	case framingLF:
		b.lastEsc = OneLine(b.buf[start:end])
		if b.lastEsc {
			b.escaped++
		}
		b.buf = append(b.buf, '\n')
	}
	b.spans = append(b.spans, span{start: start, sd: sd, msg: msg, end: end})
	b.size += n
}

// RemoveLast removes the message Append or AppendRaw added last, with
// its framing, as if it had not been added: a caller that finds the
// encoded message too long (Message, Forwarder.MaxMessageBytes) encodes
// it again in another form. It does nothing on an empty batch, and must
// be called at most once after each Append or AppendRaw (the batch
// knows how the last message was framed, not those before).
func (b *Batch) RemoveLast() {
	n := len(b.spans)
	if n == 0 {
		return
	}
	s := b.spans[n-1]
	b.spans = b.spans[:n-1]
	b.size -= s.end - s.start
	pos := s.start
	switch b.framing {
	case framingOctet:
		pos -= countWidth(s.end - s.start)
	case framingLF:
		if b.lastEsc {
			b.escaped--
			b.lastEsc = false
		}
	}
	b.buf = b.buf[:pos]
}

// frameEnd returns where the frame of message i ends in buf: after the
// message, and its LF under newline framing.
func (b *Batch) frameEnd(i int) int {
	if b.framing == framingLF {
		return b.spans[i].end + 1
	}
	return b.spans[i].end
}

// Len returns the number of messages in the batch.
func (b *Batch) Len() int { return len(b.spans) }

// Size returns the number of encoded bytes in the batch, without framing.
func (b *Batch) Size() int { return b.size }

// Message returns the i-th encoded message, without framing. It aliases the
// batch's buffer and is valid until the batch is reset or appended to.
func (b *Batch) Message(i int) []byte {
	s := b.spans[i]
	return b.buf[s.start:s.end:s.end]
}

// Reset empties the batch, keeping its memory and its framing.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.spans = b.spans[:0]
	b.size = 0
	b.escaped = 0
}

// reframe rebuilds the batch's buffer with framing fr. It is called by the
// writer, which owns the batch until its ack, when the batch was framed for
// another transport; the batch keeps fr afterwards.
func (b *Batch) reframe(fr framing) {
	old := b.buf
	buf := make([]byte, 0, len(old)+len(b.spans)*2)
	b.escaped = 0
	for i := range b.spans {
		s := &b.spans[i]
		m := old[s.start:s.end]
		if fr == framingOctet {
			w := countWidth(len(m))
			buf = append(buf, zeros[:w]...)
			putCount(buf[len(buf)-w:], len(m))
		}
		d := len(buf) - s.start
		buf = append(buf, m...)
		s.start, s.sd, s.msg, s.end = s.start+d, s.sd+d, s.msg+d, s.end+d
		if fr == framingLF {
			if OneLine(buf[s.start:s.end]) {
				b.escaped++
			}
			buf = append(buf, '\n')
		}
	}
	b.buf = buf
	b.framing = fr
}

// countWidth returns the length of the octet-count prefix for an n-byte
// message: its decimal digits and the SP.
func countWidth(n int) int {
	w := 2
	for ; n >= 10; n /= 10 {
		w++
	}
	return w
}

// putCount writes n in decimal followed by SP into p, which is exactly
// countWidth(n) bytes long.
func putCount(p []byte, n int) {
	i := len(p) - 1
	p[i] = ' '
	for i--; i >= 0; i-- {
		p[i] = byte('0' + n%10)
		n /= 10
	}
}

// OneLine replaces each line break of m, LF and CR bytes, by a space, in
// place, and reports whether there were any. Newline framing (RFC 6587
// §3.4.2: a frame ends at LF) applies it to every message, since a line
// break inside a message would split it into two frames for a receiver
// that reads lines; so does anything that prints messages one per line
// (the CLI's standard output), so that the printed form is the wire form
// of newline framing. Octet counting carries line breaks unchanged.
func OneLine(m []byte) bool {
	i := bytes.IndexByte(m, '\n')
	if j := bytes.IndexByte(m, '\r'); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return false
	}
	for ; i < len(m); i++ {
		if m[i] == '\n' || m[i] == '\r' {
			m[i] = ' '
		}
	}
	return true
}
