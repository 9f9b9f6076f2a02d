package sniff

import (
	"bytes"
	"encoding/binary"
)

// Format is a format data can hold that is not log lines and that the
// commands do not read through: a compression other than gzip, bzip2, xz
// and zstd, an archive, or a binary file (an executable, an image, a
// database). Read as lines, its bytes would be garbage passed on as log
// lines.
type Format struct {
	Name  string // as a user knows it: "zip", "lz4", "tar archive"; a binary's what it is: "an ELF executable"
	Magic []byte
	At    int    // offset of Magic in the data
	Fix   string // the command that gives the plain data, FILE for the file; "" for a binary: none does
	// Encoding says the data is text in an encoding other than UTF-8
	// (UTF-16, as Windows tools write text files); Fix converts it.
	Encoding bool
	// more, when not nil, checks what follows the magic number, for a
	// magic number a text line or another format could start with.
	more func(head []byte) bool
}

// formats are the formats FormatOf recognises by their magic
// numbers (those of file(1)'s magic database; UTF-16 by its byte order
// mark, or without one by its NUL bytes: UTF16NoBOM), the first that
// matches winning. None starts with what a log line can: a NUL byte is followed by
// "asm" only in WebAssembly (a log padded with NUL bytes after a crash, or
// by copytruncate, is read as it is), and "MZ" is a DOS header only when
// NUL bytes follow in its first 64 bytes.
var formats = []Format{
	{Name: "zip", Magic: []byte("PK\x03\x04"), Fix: "unzip -p FILE"},
	{Name: "compress (.Z)", Magic: []byte{0x1f, 0x9d}, Fix: "gzip -dc FILE"},
	{Name: "lz4", Magic: []byte{0x04, 0x22, 0x4d, 0x18}, Fix: "lz4 -dc FILE"},
	{Name: "lzip", Magic: []byte("LZIP\x01"), Fix: "lzip -dc FILE"},
	{Name: "7-Zip", Magic: []byte("7z\xbc\xaf\x27\x1c"), Fix: "7z e -so FILE"},
	{Name: "tar archive", Magic: []byte("ustar"), At: 257, Fix: "tar -xf FILE"},
	{Name: "an ELF executable", Magic: []byte("\x7fELF")},
	{Name: "a Windows executable (PE/COFF)", Magic: []byte("MZ"), more: dosHeader},
	{Name: "a Mach-O executable", Magic: []byte{0xfe, 0xed, 0xfa, 0xce}},
	{Name: "a Mach-O executable", Magic: []byte{0xfe, 0xed, 0xfa, 0xcf}},
	{Name: "a Mach-O executable", Magic: []byte{0xce, 0xfa, 0xed, 0xfe}},
	{Name: "a Mach-O executable", Magic: []byte{0xcf, 0xfa, 0xed, 0xfe}},
	{Name: "a Java class file", Magic: []byte{0xca, 0xfe, 0xba, 0xbe}, more: javaClass},
	{Name: "a Mach-O universal executable", Magic: []byte{0xca, 0xfe, 0xba, 0xbe}, more: fatArchCount},
	{Name: "a WebAssembly module", Magic: []byte("\x00asm")},
	{Name: "a PNG image", Magic: []byte("\x89PNG\r\n\x1a\n")},
	{Name: "a JPEG image", Magic: []byte{0xff, 0xd8, 0xff}},
	{Name: "a GIF image", Magic: []byte("GIF87a")},
	{Name: "a GIF image", Magic: []byte("GIF89a")},
	{Name: "a PDF document", Magic: []byte("%PDF-")},
	{Name: "an SQLite database", Magic: []byte("SQLite format 3\x00")},
	{Name: "UTF-16LE text", Magic: []byte{0xff, 0xfe}, Fix: "iconv -f UTF-16 -t UTF-8 FILE", Encoding: true},
	{Name: "UTF-16BE text", Magic: []byte{0xfe, 0xff}, Fix: "iconv -f UTF-16 -t UTF-8 FILE", Encoding: true},
	{Name: "UTF-16LE text (without a byte order mark)", Fix: "iconv -f UTF-16LE -t UTF-8 FILE", Encoding: true,
		more: func(head []byte) bool { return UTF16NoBOM(head) == "UTF-16LE" }},
	{Name: "UTF-16BE text (without a byte order mark)", Fix: "iconv -f UTF-16BE -t UTF-8 FILE", Encoding: true,
		more: func(head []byte) bool { return UTF16NoBOM(head) == "UTF-16BE" }},
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

// HeadLen is how many first bytes FormatOf needs to see.
const HeadLen = 262

// FormatOf returns the format that head, the first bytes of some data,
// starts with, or nil.
func FormatOf(head []byte) *Format {
	for i := range formats {
		u := &formats[i]
		if len(head) >= u.At+len(u.Magic) && bytes.Equal(head[u.At:u.At+len(u.Magic)], u.Magic) &&
			(u.more == nil || u.more(head)) {
			return u
		}
	}
	return nil
}
