package container

import "bytes"

// Status says what Decode made of a record.
type Status uint8

// The statuses.
const (
	// Complete: Line.Text is a whole GitLab line.
	Complete Status = iota
	// Partial: the record is a part of a line, kept until its last part;
	// there is nothing to send yet.
	Partial
	// Malformed: the wrapper could not be decoded (the error says why);
	// Line.Text is the input as it is (the runtime record, or the joined
	// content when only the gitlab-logger envelope was malformed), to be
	// sent raw.
	Malformed
)

// Line is a decoded record. Its slices alias the input line or the
// Decoder's buffers: they are valid until the next call of Decode.
type Line struct {
	// Text is the GitLab line (or, when Malformed, the raw input).
	Text []byte
	// Stream is "stdout" or "stderr" for a runtime record, nil for plain.
	Stream []byte
	// Subcomponent is the gitlab-logger subcomponent ("audit_json"), nil
	// when the line was not wrapped by the logger.
	Subcomponent []byte
	// Cut says Text was cut: to the Decoder's MaxLineBytes (the joined
	// line, or the GitLab line in a gitlab-logger envelope, whose
	// envelope may itself have been cut, see ParseCutEnvelope), or where
	// the reader cut one of its records (ReaderCut).
	Cut bool
	// ReaderCut says the reader cut one of the line's records short
	// (DecodeCut): the reader has counted and reported that cut itself.
	ReaderCut bool
	// Len is the length in bytes of the runtime's line, its parts joined,
	// before any cut (Joiner.Len): for an envelope, the envelope's. A
	// MaxLineBytes of Len or more keeps a line not cut by the reader
	// whole.
	Len int
}

// Decoder unwraps the lines of one file in order. It joins partial records
// per stream, so it must see every record of the file, in order. The zero
// value decodes Plain lines.
type Decoder struct {
	// Format is the file's format.
	Format Format
	// MaxLineBytes bounds Line.Text in bytes (0: no bound). Joined
	// records are kept up to MaxLineBytes+EnvelopeSlack, so that an
	// envelope's message can still be cut at MaxLineBytes.
	MaxLineBytes int

	j    [2]Joiner // stdout, stderr
	rbuf []byte    // Docker content
	ebuf []byte    // unquoted envelope message
}

// Decode decodes one line of the file. With Format Plain the line is
// returned as it is. Otherwise the runtime record is decoded (Sniff picks
// its format with Auto; a plain line found by Auto is taken as it is),
// partial records are joined, and a gitlab-logger envelope in the result
// is unwrapped. It allocates only while its buffers grow.
func (d *Decoder) Decode(line []byte) (Line, Status, error) {
	return d.DecodeCut(line, false)
}

// DecodeCut decodes one line of the file as Decode does; cut says the
// reader cut the line short (a record longer than the reader's bound,
// MaxRecordBytes in the agent), so that its end is missing. A cut partial
// record seals its line (Joiner.Seal): the line ends with what the record
// kept, and the text of the records that continue it is dropped, so that
// it comes out cut, as the reader cuts a plain line, with Line.ReaderCut
// set. A cut record that does not decode (Docker's JSON lost its end) is
// Malformed, as any other.
func (d *Decoder) DecodeCut(line []byte, cut bool) (Line, Status, error) {
	f := d.Format
	if f == Plain {
		return Line{Text: line, ReaderCut: cut, Cut: cut, Len: len(line)}, Complete, nil
	}
	if f == Auto {
		f = Sniff(line)
	}
	var r Record
	var err error
	switch f {
	case CRI:
		r, err = ParseCRI(line)
	case Docker:
		d.rbuf = d.rbuf[:0]
		r, d.rbuf, err = ParseDocker(line, d.rbuf)
	default:
		r.Content = line
	}
	if err != nil {
		return Line{Text: line}, Malformed, err
	}
	j := d.joiner(r.Stream)
	j.Max = 0
	if d.MaxLineBytes > 0 {
		j.Max = d.MaxLineBytes + EnvelopeSlack
	}
	readerCut := cut || j.Sealed()
	text, done := j.Add(r.Content, r.Partial)
	if cut {
		j.Seal()
	}
	if !done {
		return Line{}, Partial, nil
	}
	out := Line{Text: text, Stream: r.Stream, Cut: j.Cut() || cut, ReaderCut: readerCut, Len: j.Len()}
	if LooksLikeEnvelope(text) {
		e, ebuf, err := ParseEnvelope(text, d.ebuf[:0])
		if err != nil && out.Cut {
			e, ebuf, err = ParseCutEnvelope(text, d.ebuf[:0])
		}
		d.ebuf = ebuf
		if err != nil {
			d.clip(&out)
			return out, Malformed, err
		}
		out.Text, out.Subcomponent = e.Message, e.Subcomponent
	}
	d.clip(&out)
	return out, Complete, nil
}

// MaxRecordBytes is the longest record of a container log file that a
// reader should take whole, however small the bound of the lines in them
// (Decoder.MaxLineBytes): containerd and the kubelet split a line into
// records of 16 KiB of text (max_container_log_line_size), Docker's
// json-file into 16 KiB of text, which its JSON escaping can make up to
// six times longer. A record cut shorter would lose the middle of the
// line joined from it: its end, before the next record's text.
const MaxRecordBytes = 128 << 10

// EnvelopeSlack is how many bytes past MaxLineBytes the Decoder keeps of
// joined records: room for a gitlab-logger envelope's members before its
// message, so that the GitLab line in it is cut at MaxLineBytes as a
// plain file's line is.
const EnvelopeSlack = 4096

// clip cuts l.Text to d.MaxLineBytes, setting l.Cut.
func (d *Decoder) clip(l *Line) {
	if d.MaxLineBytes > 0 && len(l.Text) > d.MaxLineBytes {
		l.Text, l.Cut = l.Text[:d.MaxLineBytes], true
	}
}

func (d *Decoder) joiner(stream []byte) *Joiner { return &d.j[streamOf(stream)] }

// streamOf returns the number (Stdout, Stderr) of the joiner of a record
// of stream: Stderr for "stderr", Stdout for any other.
func streamOf(stream []byte) int {
	if bytes.Equal(stream, []byte("stderr")) {
		return Stderr
	}
	return Stdout
}

// Carry is the parts of lines pending at the end of a run of records, per
// stream, to continue decoding elsewhere (Seed).
type Carry struct {
	Stdout, Stderr []byte
	// StdoutSealed and StderrSealed say the stream's pending line was
	// sealed (Joiner.Seal): its later parts are dropped.
	StdoutSealed, StderrSealed bool
	// StdoutLen and StderrLen are the pending lines' lengths as their
	// parts came (Joiner.Len), those dropped included.
	StdoutLen, StderrLen int
}

// Empty reports whether c holds no parts.
func (c *Carry) Empty() bool { return len(c.Stdout) == 0 && len(c.Stderr) == 0 }

// AppendCarry copies the parts pending in d into c, reusing c's memory.
func (d *Decoder) AppendCarry(c *Carry) {
	c.Stdout = appendPending(c.Stdout[:0], &d.j[0])
	c.Stderr = appendPending(c.Stderr[:0], &d.j[1])
	c.StdoutSealed, c.StderrSealed = d.j[0].Sealed(), d.j[1].Sealed()
	c.StdoutLen, c.StderrLen = d.j[0].Len(), d.j[1].Len()
}

func appendPending(dst []byte, j *Joiner) []byte {
	if p, ok := j.Pending(); ok {
		return append(dst, p...)
	}
	return dst
}

// Seed makes c's parts the pending ones, dropping what was pending; nil
// leaves nothing pending.
func (d *Decoder) Seed(c *Carry) {
	if c == nil {
		c = &Carry{}
	}
	d.j[0].Seed(c.Stdout, c.StdoutSealed, c.StdoutLen)
	d.j[1].Seed(c.Stderr, c.StderrSealed, c.StderrLen)
}

// IsPartial reports whether line is a partial runtime record of the
// Decoder's format (RecordPart). It does not change what is pending.
func (d *Decoder) IsPartial(line []byte) bool {
	_, partial, ok := d.RecordPart(line)
	return ok && partial
}

// The streams, as RecordPart and MayJoin number them: the index of the
// joiner a record goes to.
const (
	Stdout = 0 // stdout records, plain lines (Auto) and records of another stream
	Stderr = 1 // stderr records
)

// RecordPart reports what DecodeCut would do with line, as far as joining
// goes, without changing what is pending: the joiner it adds the line to
// (Stderr for a stderr record; Stdout for any other record and for a
// plain line in Auto format, which is taken as a complete line), and
// whether the line leaves its line pending (a partial record). ok is false
// for a line DecodeCut finds Malformed before any joiner sees it (a record
// that does not decode); a record whose joined line is Malformed later (its
// gitlab-logger envelope) is ok. In Plain format every line is a complete
// line: (Stdout, false, true). RecordPart does not look at blank lines
// specially: Decode takes them as any other line. A Docker record is
// decoded into a scratch buffer of d.
func (d *Decoder) RecordPart(line []byte) (stream int, partial, ok bool) {
	f := d.Format
	if f == Auto {
		f = Sniff(line)
	}
	var r Record
	var err error
	switch f {
	case CRI:
		r, err = ParseCRI(line)
	case Docker:
		r, d.rbuf, err = ParseDocker(line, d.rbuf[:0])
	default:
		return Stdout, false, true
	}
	if err != nil {
		return Stdout, false, false
	}
	return streamOf(r.Stream), r.Partial, true
}

// MayJoin reports cheaply whether RecordPart(line) may give stream (Stdout
// or Stderr), and a partial record when partial is true: when it returns
// false, RecordPart does not. It reads a CRI record's header only. For a
// Docker record (Docker format, or a line starting with {"log": in Auto)
// it looks for "stderr" in the line, and, for Stdout when it is there,
// finds the record's stream without decoding its log.
func (d *Decoder) MayJoin(line []byte, stream int, partial bool) bool {
	switch d.Format {
	case Plain:
		return stream == Stdout && !partial
	case Docker:
		return mayJoinDocker(line, stream)
	case Auto:
		if bytes.HasPrefix(line, []byte(`{"log":`)) {
			return mayJoinDocker(line, stream)
		}
		if stream == Stdout && !partial {
			return true // a plain line
		}
	}
	// A CRI record: "<time> <stream> <tag>...".
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return false
	}
	rest := line[sp+1:]
	name := "stdout "
	if stream == Stderr {
		name = "stderr "
	}
	if !bytes.HasPrefix(rest, []byte(name)) {
		// A record of a stream neither stdout nor stderr does not decode.
		return false
	}
	return !partial || len(rest) > len(name) && rest[len(name)] == 'P'
}

// mayJoinDocker is MayJoin for a Docker record.
func mayJoinDocker(line []byte, stream int) bool {
	if st, ok := dockerTailStream(line); ok {
		return streamOf(st) == stream
	}
	if !bytes.Contains(line, []byte("stderr")) {
		return stream == Stdout // no stderr record
	}
	if stream == Stderr {
		return true
	}
	st, ok := dockerStream(line)
	return ok && streamOf(st) == Stdout
}

// dockerStream returns the stream of a Docker record as ParseDocker finds
// it, without decoding its log; ok is false when ParseDocker fails before
// decoding the log (not a JSON object, malformed JSON, no "log").
func dockerStream(line []byte) (stream []byte, ok bool) {
	s, ok := newObjScanner(line)
	if !ok {
		return nil, false
	}
	hasLog := false
	for {
		m, ok := s.next()
		if !ok {
			break
		}
		switch {
		case keyIs(m.key, "log"):
			hasLog = true
		case keyIs(m.key, "stream"):
			stream = trimQuotes(m.val)
		}
	}
	return stream, s.end && hasLog
}

// dockerTailStream returns the stream of a Docker record that ends as
// Docker writes it without attrs, ,"stream":"…","time":"…"}, reading only
// that end. ParseDocker takes the last "stream" of the object, which must
// end the line: a line ending so either does not decode or is a record of
// that stream (the strings there hold no quote, so the members are those).
func dockerTailStream(line []byte) (stream []byte, ok bool) {
	n := len(line)
	if n < 2 || line[n-1] != '}' || line[n-2] != '"' {
		return nil, false
	}
	q := bytes.LastIndexByte(line[:n-2], '"') // opens the time
	if q < 0 || bytes.IndexByte(line[q+1:n-2], '\\') >= 0 {
		return nil, false
	}
	head := line[:q]
	if !bytes.HasSuffix(head, []byte(`","time":`)) {
		return nil, false
	}
	head = head[:len(head)-len(`","time":`)]
	v := bytes.LastIndexByte(head, '"') // opens the stream
	if v < 0 || bytes.IndexByte(head[v+1:], '\\') >= 0 || !bytes.HasSuffix(head[:v], []byte(`,"stream":`)) {
		return nil, false
	}
	return head[v+1:], true
}

// LastParts reports whether tail, the last bytes of a log file in format
// f (whole: all of it), ends in stdout parts of a line whose last part is
// not in it: partial stdout records after its last complete stdout record
// (records of stderr between them do not count), so that the file that
// follows it begins with the rest of that line. It returns the
// gitlab-logger subcomponent the envelope those parts begin names: nil
// when it names none, or when the first part is not in tail. tail must
// end with a complete line (a newline); else LastParts reports false.
func LastParts(tail []byte, whole bool, f Format) (sub []byte, ok bool) {
	if len(tail) == 0 || tail[len(tail)-1] != '\n' {
		return nil, false
	}
	d := Decoder{Format: f}
	var first []byte // the earliest stdout part of the last run of parts
	for rest := tail[:len(tail)-1]; ; {
		i := bytes.LastIndexByte(rest, '\n')
		if i < 0 && !whole {
			return nil, first != nil // the run begins before tail
		}
		line := bytes.TrimSuffix(rest[i+1:], []byte("\r"))
		if x, partial, ok := d.RecordPart(line); ok && x == Stdout {
			if !partial {
				break
			}
			first = line
		}
		if i < 0 {
			break
		}
		rest = rest[:i]
	}
	if first == nil {
		return nil, false
	}
	d.DecodeCut(first, false)
	var c Carry
	d.AppendCarry(&c)
	return bytes.Clone(SubcomponentOf(c.Stdout)), true
}
