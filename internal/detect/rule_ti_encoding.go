package detect

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// tiUnusable says why the bytes of an indicator file are no text list of
// addresses at all, and what makes them one.
type tiUnusable struct {
	// Kind is "UTF-16LE", "UTF-16BE" or "gzip".
	Kind string
	// Is completes "<file> is ": what the file is instead, and how that
	// was seen.
	Is string
	// Fix is the command that makes the file usable.
	Fix string
}

// tiFileFormat returns why b, the content of the indicator file at path,
// is not a UTF-8 text list, or nil when it may be one: gzip data (its
// magic number, 1f 8b: a feed saved compressed), or UTF-16, as Windows
// tools write a text file (PowerShell's Out-File and > redirection,
// Notepad's "Unicode"), with a byte order mark or without one (every
// other byte NUL: an address or comment in ASCII). In UTF-16 every line
// has NUL bytes between its characters and none is an address; a gzip
// file's lines are binary.
func tiFileFormat(b []byte, path string) *tiUnusable {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return &tiUnusable{Kind: "gzip", Is: "gzip-compressed (it starts with gzip's magic number), not a text file", Fix: gzipFix(path)}
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return &tiUnusable{Kind: "UTF-16LE", Is: "UTF-16LE (it starts with a UTF-16 byte order mark, as Windows tools write), not UTF-8", Fix: utf16Fix(path, "UTF-16")}
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return &tiUnusable{Kind: "UTF-16BE", Is: "UTF-16BE (it starts with a UTF-16 byte order mark, as Windows tools write), not UTF-8", Fix: utf16Fix(path, "UTF-16")}
	}
	if enc := sniff.UTF16NoBOM(b); enc != "" {
		return &tiUnusable{Kind: enc, Is: enc + " (every other byte is NUL: UTF-16 without a byte order mark), not UTF-8", Fix: utf16Fix(path, enc)}
	}
	return nil
}

// utf16Fix says how to convert the UTF-16 indicator file at path to
// UTF-8: an iconv command that replaces the file. from is iconv's -f:
// UTF-16 for a file with a byte order mark (iconv reads it, so the
// command is the same for both byte orders), UTF-16LE or UTF-16BE for
// one without (iconv's UTF-16 would take it for big-endian).
func utf16Fix(path, from string) string {
	utf8 := shellArg(path + ".utf8")
	return fmt.Sprintf("convert it with iconv -f %s -t UTF-8 %s > %s && mv %s %s", from, shellArg(path), utf8, utf8, shellArg(path))
}

// gzipFix says how to decompress the indicator file at path: into the
// name without .gz, which ti_file must then name, or in place.
func gzipFix(path string) string {
	if plain, ok := strings.CutSuffix(path, ".gz"); ok && plain != "" && !strings.HasSuffix(plain, "/") {
		return fmt.Sprintf("decompress it with zcat %s > %s and set ti_file to %s", shellArg(path), shellArg(plain), plain)
	}
	tmp := shellArg(path + ".txt")
	return fmt.Sprintf("decompress it with zcat %s > %s && mv %s %s", shellArg(path), tmp, tmp, shellArg(path))
}

// shellArg returns path quoted as one POSIX shell word that no command
// takes for an option ("./" before a relative path starting with "-").
func shellArg(path string) string {
	if strings.HasPrefix(path, "-") {
		path = "./" + path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}
