package sniff

import (
	"io"
	"io/fs"
	"os"
	"strings"
)

// What names what data of the format f is, for a message: "zip data",
// "a tar archive", a binary's name ("an ELF executable"), or text's
// encoding ("UTF-16LE text").
func (f *Format) What() string {
	switch {
	case f.Fix == "" || f.Encoding:
		return f.Name
	case f.Name == "tar archive":
		return "a tar archive"
	}
	return f.Name + " data"
}

// File reads the first bytes of the regular file at path and returns
// what they say it holds when that is not lines of text: its compression
// (gzip, bzip2, xz, zstd: Compression) or another format (FormatOf). Both
// are empty for text, for an empty file, and for a file that is not
// regular (a FIFO would block) or cannot be read.
func File(path string) (compression string, f *Format) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", nil
	}
	r, err := os.Open(path)
	if err != nil {
		return "", nil
	}
	defer r.Close()
	head := make([]byte, HeadLen)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if c := Compression(head); c != "" {
		return c, nil
	}
	return "", FormatOf(head)
}

// Special names what a file of mode m is when it is neither a regular
// file nor a directory, for a message: "a named pipe (FIFO)", "a socket",
// "a device", "a special file"; "" for a regular file or a directory.
func Special(m fs.FileMode) string {
	switch {
	case m.IsRegular(), m.IsDir():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// NotLines returns why the file at p holds no lines to follow:
// "compressed" for a compressed file, by its name (.gz, .bz2, .xz, .zst)
// or its first bytes (gzip, bzip2, xz, zstd), and "not log lines: " with
// what it is for another format (FormatOf: "zip data", "an ELF
// executable"); "" for a file of text, an empty one or one that cannot
// be read.
func NotLines(p string) string {
	for _, ext := range []string{".gz", ".bz2", ".xz", ".zst"} {
		if strings.HasSuffix(p, ext) {
			return "compressed"
		}
	}
	switch kind, f := File(p); {
	case kind != "":
		return "compressed"
	case f != nil:
		return "not log lines: " + f.What()
	}
	return ""
}
