package main

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/klauspost/compress/zstd"
	"github.com/therootcompany/xz"

	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// extKinds are the compressions a file name's extension says.
var extKinds = map[string]string{".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}

// decompress returns a reader of br's content, decompressed when it
// starts with the magic bytes of gzip, bzip2, xz or zstd data (a
// *bufio.Reader then), whatever the file's name, and a function that
// releases the decompressor. label names the input in
// errors: the file's name, or "stdin".
//
// A file named as compressed (.gz, .bz2, .xz, .zst) whose bytes are not
// (another file given that name, a download saved as an error page) is
// an error naming the file: its lines would be binary garbage. An empty
// one is read as empty. A file cut inside its compression header is an
// error that says it is truncated and that no line was read; one whose
// header is not valid after the magic number, an error that names the
// compression and says how to check the file. Data that is not log lines
// (sniff.FormatOf: another compression such as zip or lz4, a tar archive, a
// binary file such as an executable, an image or a database), also inside
// a compressed file, and data compressed twice, are errors naming the
// file, what it holds and the command that gives the plain lines (for a
// binary file, to give a log file): never passed on as lines. A plain tar archive is known by "ustar" at
// byte 257: when regular is set (a regular file, also on standard input,
// whose first bytes are there at once) decompress reads up to its first
// 262 bytes to see it; otherwise (a pipe, a terminal, a FIFO: the first
// line of a slow writer must not wait for 262 bytes) it looks only at the
// bytes the first read brought, which hold a tar header whenever the
// writer wrote one at once, as tar and cat do.
//
// Bytes after the last complete member of gzip data that do not start
// another member (zero bytes, garbage) end the data with a
// *readWarning once every line before them was read: a warning, as
// gzip -d gives it, not a damaged or truncated file.
//
// A compressed input cut short (a copy interrupted mid-way, a full disk)
// yields every byte the decoder recovers before the cut, as gzip -dc,
// bzip2 -dc, xz -dc and zstd -dc do, and then an error that names the
// compression, the count of decompressed bytes read and the cause
// (*dataError).
func decompress(br *bufio.Reader, label string, regular bool) (io.Reader, func(), error) {
	magic, _ := br.Peek(len(sniff.MagicXZ))
	kind := sniff.Compression(magic)
	want := extKinds[filepath.Ext(label)]
	if m := sniff.CompressionMagic(want); kind == "" && len(magic) > 0 && len(magic) <= len(m) && bytes.HasPrefix(m, magic) {
		// the first bytes of the magic number, then the end: cut short
		// (bzip2's "BZh" is whole only with the level digit after it)
		return nil, nil, openError(label, want, io.ErrUnexpectedEOF)
	}
	if want != "" && kind == "" && len(magic) > 0 {
		return nil, nil, fmt.Errorf("%s: named %s, but its bytes are not %s data (they do not start with %s's magic number): is it the right file? A file of plain log lines must not be named %s: rename it, or give it on standard input",
			label, filepath.Ext(label), want, want, filepath.Ext(label))
	}
	var (
		dr      io.Reader
		release = func() {}
		in      *eofByteReader // bzip2's input, to tell a cut block from a damaged one
	)
	switch kind {
	case "":
		head := magic
		if regular {
			head, _ = br.Peek(sniff.HeadLen)
		} else if n := br.Buffered(); n > len(head) {
			head, _ = br.Peek(min(n, sniff.HeadLen))
		}
		if u := sniff.FormatOf(head); u != nil {
			return nil, nil, unreadError(label, "", u, "")
		}
		return br, release, nil
	case "gzip":
		zr, err := newGzipMembers(br, label)
		if err != nil {
			return nil, nil, openError(label, kind, err)
		}
		dr, release = zr, func() { zr.Close() }
	case "bzip2":
		in = &eofByteReader{br: br}
		dr = bzip2.NewReader(in)
	case "xz":
		// therootcompany/xz (XZ Embedded's decoder) hands out data as it
		// decodes it; ulikunitz/xz's reader keeps a whole LZMA2 chunk (up
		// to 2MiB) until the chunk is complete, so a cut file gave nothing.
		xr, err := xz.NewReader(br, 0)
		if err != nil {
			return nil, nil, openError(label, kind, err)
		}
		dr = xr
	case "zstd":
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, openError(label, kind, err)
		}
		dr, release = zr, zr.Close
	}
	// The decompressed data is looked at as the file's was: compressed
	// again, or an archive, it is not log lines. A read error here (a
	// cut or damaged stream) is kept by the bufio.Reader for the reader.
	out := bufio.NewReaderSize(&decodedReader{r: dr, kind: kind, in: in}, 256<<10)
	head, _ := out.Peek(sniff.HeadLen)
	if inner := sniff.Compression(head); inner != "" {
		release()
		return nil, nil, unreadError(label, kind, nil, inner)
	}
	if u := sniff.FormatOf(head); u != nil {
		release()
		return nil, nil, unreadError(label, kind, u, "")
	}
	return out, release, nil
}

// openError is the error of opening the kind (gzip, xz, zstd) stream of
// the input label: for data that ends inside the header, that the file is
// truncated, no line was read, and to copy it again.
func openError(label, kind string, err error) error {
	check := kind + " -t"
	if label != "stdin" {
		check += " " + shellcmd.Path(label)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, xz.ErrBuf) {
		return fmt.Errorf("%s: %s data ends early, inside its header (the file is truncated, e.g. a copy cut short): no line was read (%w): copy the file again from its source (%s says whether a copy is whole)", label, kind, err, check)
	}
	if hint := xzHint(err); hint != "" {
		return fmt.Errorf("%s: open %s stream: %w%s", label, kind, err, hint)
	}
	return fmt.Errorf("%s: starts with %s's magic number but is not %s data (%w): the file is damaged, or holds other data; check it with %s, or copy it again from its source",
		label, kind, kind, err, check)
}

// decodedReader counts the bytes read from a decompressor and turns its
// errors into a *dataError.
type decodedReader struct {
	r    io.Reader
	kind string
	n    int64
	in   *eofByteReader // bzip2's input; nil for the others
}

func (c *decodedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if _, ok := err.(*readWarning); err != nil && err != io.EOF && !ok {
		if c.in != nil && c.in.eof {
			// compress/bzip2 reads zero bits past the end of a cut
			// block and then finds its checksum wrong: the data ended
			// before its end-of-stream marker, as bzip2 -t says
			// ("file ends unexpectedly"), rather than damaged.
			err = io.ErrUnexpectedEOF
		}
		err = &dataError{kind: c.kind, at: c.n, lines: -1, err: err}
	}
	return n, err
}

// eofByteReader is the input of compress/bzip2 (an io.ByteReader, so it
// reads no further than the decoder asks), which records whether the
// decoder asked for a byte past the end of the data.
type eofByteReader struct {
	br  *bufio.Reader
	eof bool
}

func (e *eofByteReader) Read(p []byte) (int, error) {
	n, err := e.br.Read(p)
	if err == io.EOF {
		e.eof = true
	}
	return n, err
}

func (e *eofByteReader) ReadByte() (byte, error) {
	b, err := e.br.ReadByte()
	if err == io.EOF {
		e.eof = true
	}
	return b, err
}

// dataError is the error of a compressed input that cannot be decompressed
// to its end: kind is the compression (gzip, bzip2, xz, zstd), at the
// count of decompressed bytes read before the error, lines the count of
// complete lines read before it (-1: not counted). readLines sets the
// rest: line is the number of the line the error cut off (0: not
// known), partial the bytes of it read before the error (not passed on),
// fileAt the bytes of the file read (where a truncated file ends), label
// the input's name for the command that checks it.
type dataError struct {
	kind    string
	at      int64
	lines   int
	line    int
	partial int
	fileAt  int64
	label   string
	err     error
}

func (e *dataError) Error() string {
	what := fmt.Sprintf("is damaged after %d decompressed bytes (%v)", e.at, e.err)
	if e.truncated() {
		what = fmt.Sprintf("ends early after %d decompressed bytes (%v): the file is truncated", e.at, e.err)
		if e.fileAt > 0 {
			what += fmt.Sprintf(" at byte %d", e.fileAt)
		}
		what += " (e.g. a copy cut short, or a full disk)"
	}
	read := "the lines before were read"
	if e.lines >= 0 {
		read = fmt.Sprintf("the %d complete %s before %s read", e.lines, plural(e.lines, "line", "lines"), plural(e.lines, "was", "were"))
	}
	if e.partial > 0 && e.line > 0 {
		read += fmt.Sprintf(", and line %d, cut off after %d bytes, was not", e.line, e.partial)
	}
	if hint := xzHint(e.err); hint != "" {
		return fmt.Sprintf("%s data %s; %s%s", e.kind, what, read, hint)
	}
	check := fmt.Sprintf("%s -t", e.kind)
	if e.label != "" && e.label != "stdin" {
		check += " " + shellcmd.Path(e.label)
	}
	return fmt.Sprintf("%s data %s; %s: copy the file again from its source (%s says whether a copy is whole)", e.kind, what, read, check)
}

// xzHint tells what to do about an xz stream that needs more than the
// decoder gives (a dictionary over xz.DefaultDictMax, 64MiB, the size of
// xz -9's), or an option or check it lacks: "" for other errors.
func xzHint(err error) string {
	if errors.Is(err, xz.ErrMemlimit) || errors.Is(err, xz.ErrOptions) || errors.Is(err, xz.ErrUnsupportedCheck) {
		return " (written with options this reader does not support, e.g. a dictionary over 64MiB: decompress it with xz -dc and give the plain file)"
	}
	return ""
}

func (e *dataError) Unwrap() error { return e.err }

// truncated reports whether the decoder ran out of input mid-stream.
func (e *dataError) truncated() bool {
	return errors.Is(e.err, io.ErrUnexpectedEOF) || errors.Is(e.err, xz.ErrBuf)
}
