package container

// Joiner joins the parts of a line that a runtime split across records
// (CRI "P", Docker's 16 KiB split). The zero value is ready to use; it
// keeps its buffer, so joining allocates only while the buffer grows.
type Joiner struct {
	// Max bounds a joined line in bytes; the parts past it are dropped and
	// Cut reports it. 0 means no bound.
	Max int

	buf     []byte
	total   int // bytes of the line's content added, kept or dropped (Len)
	pending bool
	cut     bool
	sealed  bool // the pending line's later parts are dropped (Seal)
}

// Add adds a record's content. It returns the whole line and true when the
// record completes one (not partial): the content itself when nothing was
// pending, else the joined parts, valid until the next Add. A partial
// record returns false and is kept.
func (j *Joiner) Add(content []byte, partial bool) ([]byte, bool) {
	if !j.pending && !partial {
		j.cut, j.sealed, j.total = false, false, len(content)
		return content, true
	}
	if !j.pending {
		j.buf, j.cut, j.sealed, j.total = j.buf[:0], false, false, 0
	}
	j.pending = partial
	j.total += len(content)
	room := len(content)
	if j.sealed {
		room = 0
	} else if j.Max > 0 && len(j.buf)+room > j.Max {
		room = max(j.Max-len(j.buf), 0)
		j.cut = true
	}
	j.buf = append(j.buf, content[:room]...)
	return j.buf, !partial
}

// Seal cuts the pending line where it ends now: the parts added after it,
// up to and including the line's last, are dropped, and Cut reports the
// line cut. A reader that cut a record short (its end and the record's
// newline never reached the joiner) seals the line, so that the next
// record's text is not joined to a part whose end is missing, which would
// lose the line's middle instead of its end. Seal does nothing when no
// line is pending.
func (j *Joiner) Seal() {
	if j.pending {
		j.cut, j.sealed = true, true
	}
}

// Sealed reports whether the pending line was sealed (Seal).
func (j *Joiner) Sealed() bool { return j.pending && j.sealed }

// Pending returns the parts added since the last complete line, valid until
// the next Add, and whether there are any.
func (j *Joiner) Pending() ([]byte, bool) { return j.buf, j.pending }

// Cut reports whether the line last completed (or pending) was cut: to
// Max, or where it was sealed (Seal).
func (j *Joiner) Cut() bool { return j.cut }

// Len returns the length in bytes of the line last completed (or
// pending) as its parts came, those dropped past Max or after Seal
// included: the length a bound must exceed for the line not to be cut.
func (j *Joiner) Len() int { return j.total }

// Seed makes p the pending parts, as if added by Add(p, true), then sealed
// (Seal) when sealed is true; an empty p leaves nothing pending. total is
// their length as they came (Len), when more of them were dropped than p
// holds; a smaller total counts as len(p).
func (j *Joiner) Seed(p []byte, sealed bool, total int) {
	j.buf, j.cut, j.sealed = append(j.buf[:0], p...), false, false
	j.pending = len(p) > 0
	j.total = max(total, len(p))
	if sealed {
		j.Seal()
	}
}

// Reset drops what is pending.
func (j *Joiner) Reset() {
	j.buf, j.pending, j.cut, j.sealed, j.total = j.buf[:0], false, false, false, 0
}
