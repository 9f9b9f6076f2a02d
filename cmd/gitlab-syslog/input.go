package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// readInput reads the input called name ("-" is stdin) line by line and
// calls fn with each non-blank line, its 1-based line number and the label
// to use in errors (the file name, or "stdin"). Gzip data (logrotate's .gz
// files) is recognised by its magic bytes and decompressed. Lines are
// passed without "\n" or "\r\n"; a line longer than the read buffer is
// assembled in full. The slice is valid until fn returns.
//
// Cancelling ctx stops the loop, also while a read from a pipe or terminal
// is blocked. When ctx carries a progress bar (startInputProgress), the
// file's bytes and lines are counted into it.
func readInput(ctx context.Context, name string, stdin io.Reader, fn func(label string, n int, line []byte) error) error {
	return readLines(ctx, name, stdin, false, fn)
}

// readLines is readInput, but passes blank lines to fn too when keepBlank
// is set.
func readLines(ctx context.Context, name string, stdin io.Reader, keepBlank bool, fn func(label string, n int, line []byte) error) error {
	prog := progressFrom(ctx)
	var r io.Reader = stdin
	label := "stdin"
	if name == "-" {
		if f, ok := stdin.(*os.File); ok {
			stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
			defer stop()
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err // *PathError names the file
		}
		defer f.Close()
		r, label = prog.reader(f), name
	}
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: open gzip stream: %w", label, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	var long []byte // assembles lines longer than br's buffer
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		atEnd := err == io.EOF && len(line) == 0 // nothing after the last newline
		if (keepBlank && !atEnd) || len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(label, n, line); ferr != nil {
				return ferr
			}
			prog.line()
		}
		if cap(long) > 16<<20 {
			long = nil // do not keep a huge buffer for one odd line
		}
		if err == io.EOF {
			return nil
		}
		if err != nil || n%1024 == 0 {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
		}
		if err != nil {
			return fmt.Errorf("%s:%d: read: %w", label, n, err)
		}
	}
}
