package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// sameDataHead is how many first bytes, decompressed, of each input
// sameData compares before it compares two inputs whole: 64 KiB.
const sameDataHead = 64 << 10

// sameData returns files without the inputs that hold the same data,
// decompressed, as an input given before them: a copy and its .gz, as
// gzip -k leaves them (0.log.20261207-101500 and
// 0.log.20261207-101500.gz), or any other two copies of one file. Sent
// twice, their lines would reach the collector twice; the tailer takes
// such a pair for one file (fresh-user trial 281). Of two such inputs the
// one given first keeps its place, and the one not compressed is read (no
// decompressing), which a note on w names with both. Inputs are compared
// whole only when their first sameDataHead bytes match, so that inputs
// that differ cost a read of their first bytes. Standard input, files
// that are not regular (a pipe can be read once), empty files and files
// that cannot be read (their reading names the error) are always kept.
func sameData(files []string, w io.Writer) []string {
	type input struct {
		given, read string   // the name given first, and the one to read
		head        [32]byte // the SHA-256 of its first bytes
		ok          bool     // head is set: compared with others
	}
	var kept []input
	for _, name := range files {
		head, ok := dataHead(name)
		j := -1
		for k := range kept {
			if ok && kept[k].ok && kept[k].head == head && sameContent(kept[k].read, name) {
				j = k
				break
			}
		}
		if j < 0 {
			kept = append(kept, input{name, name, head, ok})
			continue
		}
		if compressed(kept[j].read) && !compressed(name) {
			kept[j].read = name
		}
		fmt.Fprintf(w, "send: %s holds the same data as %s, given before%s: sent once, read from %s\n",
			name, kept[j].given, copyKind(kept[j].given, name), kept[j].read)
	}
	out := make([]string, len(kept))
	for i, in := range kept {
		out[i] = in.read
	}
	return out
}

// copyKind says how the inputs a and b, of the same data, came to be,
// when their names tell it: " (a copy and its .gz, as gzip -k leaves
// them)" when one is the other's name followed by .gz; "" otherwise.
func copyKind(a, b string) string {
	if a+".gz" == b || b+".gz" == a {
		return " (a copy and its .gz, as gzip -k leaves them)"
	}
	return ""
}

// compressed reports whether the input name's first bytes are those of a
// compressed file (gzip, bzip2, xz, zstd), whatever its name.
func compressed(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, len(sniff.MagicXZ))
	n, _ := io.ReadFull(f, magic)
	return sniff.Compression(magic[:n]) != ""
}

// dataHead returns the SHA-256 of the first sameDataHead bytes of the
// data of the input name, decompressed (a sum, so that many inputs cost
// little memory); false for standard input, a file that is not regular,
// an empty file, and one that cannot be read.
func dataHead(name string) ([32]byte, bool) {
	r, done, ok := openData(name)
	if !ok {
		return [32]byte{}, false
	}
	defer done()
	head := make([]byte, sameDataHead)
	n, err := io.ReadFull(r, head)
	if n == 0 || err != nil && err != io.ErrUnexpectedEOF {
		return [32]byte{}, false
	}
	return sha256.Sum256(head[:n]), true
}

// sameContent reports whether the inputs a and b hold the same data,
// decompressed, read to their ends without error.
func sameContent(a, b string) bool {
	ra, doneA, ok := openData(a)
	if !ok {
		return false
	}
	defer doneA()
	rb, doneB, ok := openData(b)
	if !ok {
		return false
	}
	defer doneB()
	ba, bb := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		na, errA := io.ReadFull(ra, ba)
		nb, errB := io.ReadFull(rb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		endA := errA == io.EOF || errA == io.ErrUnexpectedEOF
		endB := errB == io.EOF || errB == io.ErrUnexpectedEOF
		switch {
		case endA && endB:
			return true
		case errA != nil || errB != nil:
			return false // a read error, or one ends first
		}
	}
}

// openData opens the regular file name and returns a reader of its data,
// decompressed as send reads it (decompress), and a func that closes it;
// false for standard input, a file that is not regular, and one that
// cannot be opened or decompressed.
func openData(name string) (io.Reader, func(), bool) {
	if name == "-" {
		return nil, nil, false
	}
	if fi, err := os.Stat(name); err != nil || !fi.Mode().IsRegular() {
		return nil, nil, false // a named pipe's open would wait for a writer
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, false
	}
	r, release, err := decompress(bufio.NewReaderSize(f, 64<<10), name, true)
	if err != nil {
		f.Close()
		return nil, nil, false
	}
	return r, func() { release(); f.Close() }, true
}
