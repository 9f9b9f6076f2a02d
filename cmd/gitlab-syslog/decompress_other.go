package main

import (
	"bytes"
	"fmt"
	"strings"
)

// unread is a format an input can hold that is not log lines and that
// readLines does not read through: a compression other than gzip, bzip2,
// xz and zstd, or an archive. Read as lines, its bytes would be garbage
// passed on as log lines.
type unread struct {
	name  string // as a user knows it: "zip", "lz4", "tar archive"
	magic []byte
	at    int    // offset of magic in the data
	fix   string // the command that gives the plain data, FILE for the file
}

// unreadFormats are the formats unreadOf recognises by their magic
// numbers (those of file(1)'s magic database).
var unreadFormats = []unread{
	{"zip", []byte("PK\x03\x04"), 0, "unzip -p FILE"},
	{"compress (.Z)", []byte{0x1f, 0x9d}, 0, "gzip -dc FILE"},
	{"lz4", []byte{0x04, 0x22, 0x4d, 0x18}, 0, "lz4 -dc FILE"},
	{"lzip", []byte("LZIP\x01"), 0, "lzip -dc FILE"},
	{"7-Zip", []byte("7z\xbc\xaf\x27\x1c"), 0, "7z e -so FILE"},
	{"tar archive", []byte("ustar"), 257, "tar -xf FILE"},
}

// unreadHead is how many first bytes unreadOf needs to see.
const unreadHead = 262

// unreadOf returns the format of unreadFormats that head, the first
// bytes of some data, starts with, or nil.
func unreadOf(head []byte) *unread {
	for i := range unreadFormats {
		u := &unreadFormats[i]
		if len(head) >= u.at+len(u.magic) && bytes.Equal(head[u.at:u.at+len(u.magic)], u.magic) {
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
