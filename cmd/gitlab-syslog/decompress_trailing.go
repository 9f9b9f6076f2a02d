package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// gzipMembers reads the members of gzip data one after another, as gzip
// -d does: after a complete member, bytes that do not start another
// member's magic number are trailing data (zero bytes that a tape or a
// preallocating copy added, garbage appended to the file), which gzip
// ignores with a warning. They are read and counted, and every Read after
// the last member returns a *readWarning instead of io.EOF. A next
// member whose header is cut or damaged is an error as gzip.Reader gives
// it.
type gzipMembers struct {
	zr       *gzip.Reader // Multistream(false)
	br       *bufio.Reader
	trailing *readWarning // set at the end of the last member
}

// newGzipMembers returns a reader of the members of the gzip data of br.
func newGzipMembers(br *bufio.Reader, label string) (*gzipMembers, error) {
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	return &gzipMembers{zr: zr, br: br, trailing: &readWarning{label: label, kind: "gzip"}}, nil
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		if g.trailing.n > 0 {
			return 0, g.trailing
		}
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		head, _ := g.br.Peek(len(sniff.MagicGzip))
		switch {
		case len(head) == 0:
			return n, io.EOF
		case !bytes.Equal(head, sniff.MagicGzip):
			g.skipTrailing()
			return n, g.trailing
		}
		if err := g.zr.Reset(g.br); err != nil {
			return n, err
		}
		g.zr.Multistream(false)
		if n > 0 {
			return n, nil
		}
	}
}

// skipTrailing reads the rest of the data, counting its bytes and
// whether all are zero.
func (g *gzipMembers) skipTrailing() {
	t := g.trailing
	t.zeros = true
	for {
		b, err := g.br.Peek(g.br.Size())
		t.n += int64(len(b))
		if t.zeros && len(bytes.Trim(b, "\x00")) > 0 {
			t.zeros = false
		}
		g.br.Discard(len(b))
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// Close releases the decompressor.
func (g *gzipMembers) Close() error { return g.zr.Close() }

// readWarning is a fault of a compressed input that readLines read
// whole and that the commands print as a warning and go on (asReadWarning),
// not as a failure to read it. Either the data (kind: gzip) went on after
// its last complete member with n bytes that are not compressed data, all
// zero or not, which were ignored, every line read (as gzip -d exits with
// a warning); or, with empty set, the file named as kind's (zero.gz) is
// empty, 0 bytes, which is not valid kind data (gzip -t calls it an
// error), and was read as empty.
type readWarning struct {
	label string
	kind  string
	n     int64
	zeros bool
	empty bool
}

// Error returns the warning as "FILE: warning: what: cause; what to do".
func (e *readWarning) Error() string { return e.label + ": warning: " + e.what() }

// warning returns the warning as "FILE: what: cause; what to do", for a
// command to print after its own "CMD: WARNING: ".
func (e *readWarning) warning() string { return e.label + ": " + e.what() }

// what returns the warning without the file's name.
func (e *readWarning) what() string {
	if e.empty {
		return fmt.Sprintf("read as empty, no line: the file is empty (0 bytes), which is not valid %s data (%s -t calls it an error); probably a failed copy or compression: check the file it was made from",
			e.kind, e.kind)
	}
	what := "not " + e.kind + " data (trailing garbage)"
	if e.zeros {
		what = "all zero"
	}
	return fmt.Sprintf("the %s data ends with %d %s %s after its last complete member: ignored, as %s -d ignores %s; every line before %s was read",
		e.kind, e.n, plural(int(e.n), "byte that is", "bytes that are"), what, e.kind, plural(int(e.n), "it", "them"), plural(int(e.n), "it", "them"))
}
