// Package sniff tells, by its first bytes (magic numbers, as file(1)
// does), data that is not lines of text: the compressions the commands
// read through (gzip, bzip2, xz, zstd, as logrotate's compresscmd writes
// them) and the formats nothing reads as log lines (other compressions,
// archives, binary files), in the first bytes the callers give or, with
// File, in a file's.
package sniff

import "bytes"

// The magic numbers of the compressions Compression recognises.
var (
	MagicGzip  = []byte{0x1f, 0x8b}
	MagicBzip2 = []byte("BZh")
	MagicXZ    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	MagicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Compression names the compression whose magic bytes head starts with:
// gzip, bzip2, xz or zstd, or "".
func Compression(head []byte) string {
	switch {
	case bytes.HasPrefix(head, MagicGzip):
		return "gzip"
	case bytes.HasPrefix(head, MagicBzip2) && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return "bzip2"
	case bytes.HasPrefix(head, MagicXZ):
		return "xz"
	case bytes.HasPrefix(head, MagicZstd):
		return "zstd"
	}
	return ""
}

// CompressionMagic returns the magic bytes of the compression kind
// ("gzip", "bzip2", "xz", "zstd"); nil for any other.
func CompressionMagic(kind string) []byte {
	switch kind {
	case "gzip":
		return MagicGzip
	case "bzip2":
		return MagicBzip2
	case "xz":
		return MagicXZ
	case "zstd":
		return MagicZstd
	}
	return nil
}
