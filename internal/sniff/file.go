package sniff

import (
	"io"
	"os"
)

// What names what data of the format f is, for a message: "zip data",
// "a tar archive", or a binary's name ("an ELF executable").
func (f *Format) What() string {
	switch {
	case f.Fix == "":
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
