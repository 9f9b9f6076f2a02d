package main

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// compressed formats recognised by their magic bytes, as logrotate's
// compresscmd writes them: gzip (the default), bzip2, xz and zstd.
var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicBzip2 = []byte("BZh")
	magicXZ    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// compressionOf names the compression whose magic bytes head starts with:
// gzip, bzip2, xz or zstd, or "".
func compressionOf(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		return "gzip"
	case bytes.HasPrefix(head, magicBzip2) && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return "bzip2"
	case bytes.HasPrefix(head, magicXZ):
		return "xz"
	case bytes.HasPrefix(head, magicZstd):
		return "zstd"
	}
	return ""
}

// decompress returns a reader of br's content, decompressed when it
// starts with the magic bytes of gzip, bzip2, xz or zstd data, and a
// function that releases the decompressor. label names the input in
// errors.
func decompress(br *bufio.Reader, label string) (io.Reader, func(), error) {
	magic, _ := br.Peek(len(magicXZ))
	switch compressionOf(magic) {
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: open gzip stream: %w", label, err)
		}
		return zr, func() { zr.Close() }, nil
	case "bzip2":
		return bzip2.NewReader(br), func() {}, nil
	case "xz":
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: open xz stream: %w", label, err)
		}
		return xr, func() {}, nil
	case "zstd":
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: open zstd stream: %w", label, err)
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}
