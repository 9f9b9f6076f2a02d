package container

// Joiner joins the parts of a line that a runtime split across records
// (CRI "P", Docker's 16 KiB split). The zero value is ready to use; it
// keeps its buffer, so joining allocates only while the buffer grows.
type Joiner struct {
	// Max bounds a joined line in bytes; the parts past it are dropped and
	// Cut reports it. 0 means no bound.
	Max int

	buf     []byte
	pending bool
	cut     bool
}

// Add adds a record's content. It returns the whole line and true when the
// record completes one (not partial): the content itself when nothing was
// pending, else the joined parts, valid until the next Add. A partial
// record returns false and is kept.
func (j *Joiner) Add(content []byte, partial bool) ([]byte, bool) {
	if !j.pending && !partial {
		j.cut = false
		return content, true
	}
	if !j.pending {
		j.buf, j.cut = j.buf[:0], false
	}
	j.pending = partial
	room := len(content)
	if j.Max > 0 && len(j.buf)+room > j.Max {
		room = max(j.Max-len(j.buf), 0)
		j.cut = true
	}
	j.buf = append(j.buf, content[:room]...)
	return j.buf, !partial
}

// Pending returns the parts added since the last complete line, valid until
// the next Add, and whether there are any.
func (j *Joiner) Pending() ([]byte, bool) { return j.buf, j.pending }

// Cut reports whether the line last completed (or pending) was cut to Max.
func (j *Joiner) Cut() bool { return j.cut }

// Seed makes p the pending parts, as if added by Add(p, true); an empty p
// leaves nothing pending.
func (j *Joiner) Seed(p []byte) {
	j.buf, j.cut = append(j.buf[:0], p...), false
	j.pending = len(p) > 0
}

// Reset drops what is pending.
func (j *Joiner) Reset() { j.buf, j.pending, j.cut = j.buf[:0], false, false }
