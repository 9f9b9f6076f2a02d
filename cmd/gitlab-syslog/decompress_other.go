package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// unread is a format an input can hold that is not log lines and that
// readLines does not read through: a compression other than gzip, bzip2,
// xz and zstd, an archive, or a binary file (an executable, an image, a
// database). Read as lines, its bytes would be garbage passed on as log
// lines.
type unread struct {
	name  string // as a user knows it: "zip", "lz4", "tar archive"; a binary's what it is: "an ELF executable"
	magic []byte
	at    int    // offset of magic in the data
	fix   string // the command that gives the plain data, FILE for the file; "" for a binary: none does
	// more, when not nil, checks what follows the magic number, for a
	// magic number a text line or another format could start with.
	more func(head []byte) bool
}

// unreadFormats are the formats unreadOf recognises by their magic
// numbers (those of file(1)'s magic database), the first that matches
// winning. None starts with what a log line can: a NUL byte is followed by
// "asm" only in WebAssembly (a log padded with NUL bytes after a crash, or
// by copytruncate, is read as it is), and "MZ" is a DOS header only when
// NUL bytes follow in its first 64 bytes.
var unreadFormats = []unread{
	{name: "zip", magic: []byte("PK\x03\x04"), fix: "unzip -p FILE"},
	{name: "compress (.Z)", magic: []byte{0x1f, 0x9d}, fix: "gzip -dc FILE"},
	{name: "lz4", magic: []byte{0x04, 0x22, 0x4d, 0x18}, fix: "lz4 -dc FILE"},
	{name: "lzip", magic: []byte("LZIP\x01"), fix: "lzip -dc FILE"},
	{name: "7-Zip", magic: []byte("7z\xbc\xaf\x27\x1c"), fix: "7z e -so FILE"},
	{name: "tar archive", magic: []byte("ustar"), at: 257, fix: "tar -xf FILE"},
	{name: "an ELF executable", magic: []byte("\x7fELF")},
	{name: "a Windows executable (PE/COFF)", magic: []byte("MZ"), more: dosHeader},
	{name: "a Mach-O executable", magic: []byte{0xfe, 0xed, 0xfa, 0xce}},
	{name: "a Mach-O executable", magic: []byte{0xfe, 0xed, 0xfa, 0xcf}},
	{name: "a Mach-O executable", magic: []byte{0xce, 0xfa, 0xed, 0xfe}},
	{name: "a Mach-O executable", magic: []byte{0xcf, 0xfa, 0xed, 0xfe}},
	{name: "a Java class file", magic: []byte{0xca, 0xfe, 0xba, 0xbe}, more: javaClass},
	{name: "a Mach-O universal executable", magic: []byte{0xca, 0xfe, 0xba, 0xbe}, more: fatArchCount},
	{name: "a WebAssembly module", magic: []byte("\x00asm")},
	{name: "a PNG image", magic: []byte("\x89PNG\r\n\x1a\n")},
	{name: "a JPEG image", magic: []byte{0xff, 0xd8, 0xff}},
	{name: "a GIF image", magic: []byte("GIF87a")},
	{name: "a GIF image", magic: []byte("GIF89a")},
	{name: "a PDF document", magic: []byte("%PDF-")},
	{name: "an SQLite database", magic: []byte("SQLite format 3\x00")},
}

// dosHeader reports whether head, which starts with "MZ", is a DOS
// executable header (the start of every PE/COFF file): 64 bytes, with NUL
// bytes among them, which a line of text does not have.
func dosHeader(head []byte) bool {
	return len(head) >= 64 && bytes.IndexByte(head[2:64], 0) >= 0
}

// javaClass and fatArchCount tell apart the two formats that start with
// 0xcafebabe, as file(1) does: the big-endian word after it is a Java
// class file's version (major 45 and up) or a Mach-O universal file's
// count of architectures (a few).
func javaClass(head []byte) bool { return len(head) >= 8 && binary.BigEndian.Uint32(head[4:8]) >= 45 }

func fatArchCount(head []byte) bool {
	return len(head) >= 8 && binary.BigEndian.Uint32(head[4:8]) < 45
}

// unreadHead is how many first bytes unreadOf needs to see.
const unreadHead = 262

// unreadOf returns the format of unreadFormats that head, the first
// bytes of some data, starts with, or nil.
func unreadOf(head []byte) *unread {
	for i := range unreadFormats {
		u := &unreadFormats[i]
		if len(head) >= u.at+len(u.magic) && bytes.Equal(head[u.at:u.at+len(u.magic)], u.magic) &&
			(u.more == nil || u.more(head)) {
			return u
		}
	}
	return nil
}

// unreadError is the error for the input label whose data (after
// decompressing it with outer: gzip, bzip2, xz, zstd; "" for none) is
// the format u, or, when u is nil, is compressed again with inner: it
// names the input, what its bytes are, and the command that gives the
// log lines.
func unreadError(label, outer string, u *unread, inner string) error {
	if u != nil && u.fix == "" {
		return binaryError(label, outer, u)
	}
	file := "FILE" // standard input: the file that was piped in
	if label != "stdin" {
		file = shellQuote(label)
	}
	what, fix := inner+" data", inner+" -dc"
	if u != nil {
		what, fix = u.name+" data", u.fix
		if u.name == "tar archive" {
			what = "a tar archive"
		}
	}
	if outer != "" {
		what = outer + " data whose content is " + what
		if u == nil {
			what += " again (compressed twice)"
		}
		fix = outer + " -dc " + file + " | " + strings.Replace(fix, "FILE", "-", 1)
		if u != nil && u.name == "tar archive" {
			fix = "tar -xf " + file
		}
	} else {
		fix = strings.Replace(fix, "FILE", file, 1)
	}
	if u != nil && u.name == "tar archive" {
		return fmt.Errorf("%s: is %s, not a log file: its lines would be read as garbage; extract it (%s) and give the log files in it", label, what, fix)
	}
	return fmt.Errorf("%s: is %s, which is not read as log lines (gzip, bzip2, xz and zstd are): decompress it first (%s) and give the plain lines, as a file or on standard input (-)", label, what, fix)
}

// binaryError is the error for the input label that holds the binary
// format u (after decompressing it with outer; "" for none): it names the
// input and what it is, and says to give a log file instead.
func binaryError(label, outer string, u *unread) error {
	what := u.name
	if outer != "" {
		what = outer + " data whose content is " + what
	}
	return fmt.Errorf("%s: %s, not a log file: its bytes are not lines of text; give a GitLab log file (is the path right?)", label, what)
}
