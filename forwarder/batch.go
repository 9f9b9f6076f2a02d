package forwarder

// Batch is a reusable buffer of encoded messages and their boundaries. A
// Forwarder sends a batch as a unit and acknowledges it as a unit. The zero
// value is ready to use; Reset keeps the memory for the next batch.
type Batch struct {
	buf   []byte
	spans []span
}

// span locates one message in Batch.buf: [start, end), with STRUCTURED-DATA
// starting at sd and MSG at msg (msg == end when there is no MSG).
type span struct {
	start, sd, msg, end int
}

// Append encodes m with e and adds it to the batch.
func (b *Batch) Append(e *Encoder, m *Message) {
	start := len(b.buf)
	var sd, msg int
	b.buf, sd, msg = e.appendMessage(b.buf, m)
	b.spans = append(b.spans, span{start: start, sd: sd, msg: msg, end: len(b.buf)})
}

// Len returns the number of messages in the batch.
func (b *Batch) Len() int { return len(b.spans) }

// Size returns the number of encoded bytes in the batch, without framing.
func (b *Batch) Size() int { return len(b.buf) }

// Message returns the i-th encoded message. It aliases the batch's buffer
// and is valid until the batch is reset or appended to.
func (b *Batch) Message(i int) []byte {
	s := b.spans[i]
	return b.buf[s.start:s.end:s.end]
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.spans = b.spans[:0]
}
