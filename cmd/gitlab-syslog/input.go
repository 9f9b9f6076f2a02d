package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/nulrun"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// lineFunc receives one line of an input: the label to use in errors (the
// file name, or "stdin"), its 1-based line number, the line without its
// ending, valid until the call returns, and, for a line cut to the line
// limit, its whole length in bytes without its ending (0: not cut).
type lineFunc func(label string, n int, line []byte, long int) error

// readInput reads the input called name ("-" is stdin, which it reads
// from the reader stdin) line by line and calls fn with each non-blank
// line. For another name, stdin may be a *heldFile, the file of name
// opened beforehand (openChecked), which it reads and closes. Compressed data (logrotate's .gz, and
// .bz2, .xz or .zst with another compresscmd) is recognised by its magic
// bytes and decompressed; data that is not log lines (see decompress) is
// an error before any line is read. Lines are passed without "\n" or
// "\r\n"; a line longer than maxLine bytes (max_line_bytes; 0: no limit)
// is cut to maxLine, fn is given its whole length, and the rest of it is
// read and discarded without being kept in memory. A line that a read error
// cuts off (a truncated .gz) is not passed to fn: the error names it.
// Gzip data with trailing bytes after its last member (zeros, garbage)
// has every line passed to fn and returns a *readWarning, a warning for
// the caller to print (asReadWarning), not a failure to read; so does an
// empty file named as compressed (zero.gz), which is read as empty.
//
// Cancelling ctx stops the loop, also while a read from a pipe or terminal
// is blocked. When ctx carries a progress bar (startInputProgress), the
// file's bytes and lines are counted into it.
func readInput(ctx context.Context, name string, stdin io.Reader, maxLine int, fn lineFunc) error {
	return readLines(ctx, name, stdin, false, maxLine, fn, nil)
}

// inputName is how a summary names the input name: "standard input" for
// "-", else name itself.
func inputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// readLines is readInput, but passes blank lines to fn too when keepBlank
// is set, and calls idle, when not nil, after a line when every byte read
// so far was passed on and the next read may block (a pipe, a terminal, a
// FIFO: not a regular file), so that the caller sends or prints what it
// holds rather than keep a slow writer's lines until more come (tail -f
// FILE | gitlab-syslog send); idle's error stops the loop.
func readLines(ctx context.Context, name string, stdin io.Reader, keepBlank bool, maxLine int, fn lineFunc, idle func() error) error {
	prog := progressFrom(ctx)
	var (
		raw     *byteCounter
		dr      io.Reader
		release func()
		label   = "stdin"
		blocks  bool // a read may block: a file that is not regular (a pipe, a terminal, a FIFO)
	)
	if o, ok := stdin.(*openedStdin); ok && name == "-" {
		// checked when the inputs were opened (openStdin)
		if o.f != nil {
			stop := context.AfterFunc(ctx, func() { o.f.SetReadDeadline(time.Now()) })
			defer stop()
			fi, err := o.f.Stat()
			blocks = err != nil || !fi.Mode().IsRegular()
		}
		raw, dr, release = o.raw, o.dr, o.Close
	} else {
		r := stdin
		regular := false // a regular file: waiting for its first bytes never blocks
		if name == "-" {
			if f, ok := stdin.(*os.File); ok {
				stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
				defer stop()
				fi, err := f.Stat()
				regular = err == nil && fi.Mode().IsRegular()
				blocks = !regular
			}
		} else {
			f, err := heldOrOpen(ctx, name, stdin)
			if err != nil {
				return err // *PathError names the file
			}
			h, _ := stdin.(*heldFile)
			if h == nil || !h.keep {
				defer f.Close()
			}
			stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) }) // a FIFO's read
			defer stop()
			fi, err := f.Stat()
			if err == nil && fi.IsDir() {
				return fmt.Errorf("%s is a directory, not a log file; give the log files in it (e.g. %s)", name, filepath.Join(name, "*.log*"))
			}
			regular = err == nil && fi.Mode().IsRegular()
			blocks = !regular
			r, label = prog.reader(f), name
			if h != nil && h.cut {
				r = io.LimitReader(r, h.end)
			}
		}
		raw = &byteCounter{r: r}
		var err error
		dr, release, err = decompress(bufio.NewReaderSize(raw, 256<<10), label, regular)
		if err != nil {
			return err
		}
	}
	defer release()
	br, ok := dr.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(dr, 256<<10)
	}
	// long assembles lines longer than br's buffer: past maxLine+2 bytes
	// (room for "\r\n") the rest is dropped, NUL padding cut as the
	// tailer cuts it.
	long := nulrun.Builder{Max: math.MaxInt - 1}
	if maxLine > 0 {
		long.Max = maxLine + 1
	}
	var trailing *readWarning
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		whole, last := len(line), line // the line's length with its ending; its last part read
		if errors.Is(err, bufio.ErrBufferFull) {
			long.Reset()
			long.Append(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				if cerr := ctx.Err(); cerr != nil { // a line that never ends (/dev/zero) stops too
					return cerr
				}
				line, err = br.ReadSlice('\n')
				whole, last = whole+len(line), line
				long.Append(line)
			}
			line, _ = long.Line()
		}
		if te := (*readWarning)(nil); errors.As(err, &te) {
			trailing, err = te, io.EOF // every line was read: the caller warns
		}
		if bytes.HasSuffix(last, []byte("\r\n")) {
			whole -= 2
		} else if bytes.HasSuffix(last, []byte("\n")) {
			whole--
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if maxLine > 0 {
			// NUL padding that takes a line shorter than br's buffer
			// over the limit (a longer one had it cut above).
			line = nulrun.Cut(line, maxLine)
		}
		cutLen := 0
		if maxLine > 0 && len(line) > maxLine {
			cutLen = whole
			line = line[:maxLine]
		}
		atEnd := err != nil && len(line) == 0 // nothing after the last newline (or before a read error)
		// A read error (a compressed file cut short or damaged, an I/O
		// error) leaves line without its end: it is not passed on, as
		// a part of a line is not the line (sent, it would be a raw
		// message of half a JSON object, counted as a line read). The
		// error names it (dataError).
		broken := err != nil && err != io.EOF
		if !broken && ((keepBlank && !atEnd) || !parser.Blank(line)) {
			if ferr := fn(label, n, line, cutLen); ferr != nil {
				return ferr
			}
			prog.line()
		}
		if idle != nil && blocks && err == nil && br.Buffered() == 0 {
			if ierr := idle(); ierr != nil {
				return ierr
			}
		}
		if long.Cap() > 16<<20 {
			long = nulrun.Builder{Max: long.Max} // do not keep a huge buffer for one odd line
		}
		if err == io.EOF {
			if kind := extKinds[filepath.Ext(label)]; trailing == nil && raw.n == 0 && kind != "" && name != "-" {
				trailing = &readWarning{label: label, kind: kind, empty: true}
			}
			if trailing != nil {
				return trailing
			}
			return nil
		}
		if err != nil || n%1024 == 0 {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
		}
		if err != nil {
			if de := (*dataError)(nil); errors.As(err, &de) {
				de.lines = n - 1 // line n is the one cut, or none
				de.line, de.partial, de.fileAt, de.label = n, len(line), raw.n, label
			}
			if len(line) == 0 && n > 1 {
				// the cut falls at a line's end: name the last line read,
				// not the one after it, which does not exist
				return fmt.Errorf("%s:%d: read after it: %w", label, n-1, err)
			}
			return fmt.Errorf("%s:%d: read: %w", label, n, err)
		}
	}
}

// openedStdin is standard input opened by openStdin: its first bytes
// read and its content checked (decompress), ready for readLines, which
// reads it when given it as its stdin with the name "-".
type openedStdin struct {
	f       *os.File // standard input when it is a file (pipe, terminal, redirect); nil otherwise
	raw     *byteCounter
	dr      io.Reader // the content, decompressed
	release func()
}

// openStdin checks stdin's content before any input is read, as
// checkInput checks a file's: it waits for its first bytes (only these:
// a slow writer's first line is enough) and returns decompress's error for
// data that is not log lines (a tar archive, zip, data compressed twice, a
// binary file such as an executable),
// which names "stdin". Cancelling ctx ends the wait with ctx.Err().
func openStdin(ctx context.Context, stdin io.Reader) (*openedStdin, error) {
	o := &openedStdin{raw: &byteCounter{r: stdin}}
	regular := false
	if f, ok := stdin.(*os.File); ok {
		o.f = f
		stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
		defer stop()
		fi, err := f.Stat()
		regular = err == nil && fi.Mode().IsRegular()
	}
	dr, release, err := decompress(bufio.NewReaderSize(o.raw, 256<<10), "stdin", regular)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	o.dr, o.release = dr, release
	return o, nil
}

// Read reads the content of standard input, decompressed.
func (o *openedStdin) Read(p []byte) (int, error) { return o.dr.Read(p) }

// Close releases the decompressor; a second call does nothing.
func (o *openedStdin) Close() {
	if o.release != nil {
		o.release()
		o.release = nil
	}
}

// byteCounter counts the bytes read from r: for a compressed input,
// the compressed bytes, which at a truncation are the whole file.
type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// maxLineFlag registers --max-line-bytes on cmd for the commands that read
// files without a config (parse, detect), longer saying what the command
// does with a longer line; parseMaxLine reads its value.
func maxLineFlag(cmd *cobra.Command, v *string, longer string) {
	cmd.Flags().StringVar(v, "max-line-bytes", "", "longest line; longer lines are "+longer+", e.g. 65536 or 512KiB (default 1MiB)")
}

// parseMaxLine returns the line limit the --max-line-bytes value v sets:
// config.DefaultMaxLine when v is empty, an error naming the flag when v
// is not a size from 1 byte to 2GiB.
func parseMaxLine(v string) (int, error) {
	if v == "" {
		return config.DefaultMaxLine, nil
	}
	n, err := config.ParseByteSize(v)
	switch {
	case err != nil:
		return 0, fmt.Errorf("--max-line-bytes: %w", err)
	case n <= 0 || n > math.MaxInt32:
		return 0, fmt.Errorf("--max-line-bytes: want a size from 1 byte to 2GiB, got %q", v)
	}
	return int(n), nil
}

// typePrefixHint adds to err, the error of opening name, that a name
// written TYPE:FILE (detect's syntax) is not understood by cmd, which
// takes --type instead; other errors get inputHint's.
func typePrefixHint(cmd, name string, err error) error {
	t, file, ok := strings.Cut(name, ":")
	if !ok || !errors.Is(err, fs.ErrNotExist) {
		return inputHint(name, err)
	}
	if _, perr := parser.ParseType(strings.ToLower(t)); perr != nil {
		return inputHint(name, err)
	}
	return fmt.Errorf("%w (TYPE:FILE is detect's syntax; %s takes --type %s %s)", err, cmd, strings.ToLower(t), file)
}

// checkInput checks that the input file name can be read, before any
// input is: it opens it, refuses a directory, and reads a compressed
// file's header (a .gz that is not gzip). Standard input ("-") and named
// pipes are not opened: opening a FIFO waits for its writer, and reading
// would take data from it. It returns what the file is (the open file's
// stat; a FIFO's stat; nil for standard input or when the stat failed),
// for telling the same file given twice (os.SameFile). The error names the
// file and the cause (an *fs.PathError for an open error).
func checkInput(name string) (os.FileInfo, error) {
	f, fi, err := openChecked(name)
	if f != nil {
		f.Close()
	}
	return fi, err
}

// openChecked is checkInput, but returns a regular file open, positioned
// at its start, for the caller to read (through a heldFile) and close: a
// file opened when the inputs are checked is the file read, and the
// inputs hold their descriptors from the check on. It returns a nil file
// for standard input, a named pipe and any other file that is not
// regular (opened again to be read), and on error.
func openChecked(name string) (*os.File, os.FileInfo, error) {
	if name == "-" {
		return nil, nil, nil
	}
	if fi, err := os.Stat(name); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
		return nil, fi, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		fi = nil
	} else if fi.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is a directory, not a log file; give the log files in it (e.g. %s)", name, filepath.Join(name, "*.log*"))
	}
	regular := fi != nil && fi.Mode().IsRegular()
	_, release, err := decompress(bufio.NewReaderSize(f, 4096), name, regular)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	release()
	if !regular {
		f.Close()
		return nil, fi, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, fi, nil
}

// sameFiles remembers the files given so far, each with a value of the
// caller's (the input that named it), to find a file given again, under
// its name or another (./, a link: the same device and inode,
// os.SameFile).
type sameFiles[T any] struct {
	fis  []os.FileInfo
	vals []T
}

// add returns the value of the file given before that fi is, and true;
// else it records fi with v and returns false. A nil fi (standard input,
// a file not stat'ed) is never the same as another.
func (s *sameFiles[T]) add(fi os.FileInfo, v T) (first T, again bool) {
	if fi == nil {
		return first, false
	}
	if i := slices.IndexFunc(s.fis, func(o os.FileInfo) bool { return os.SameFile(o, fi) }); i >= 0 {
		return s.vals[i], true
	}
	s.fis, s.vals = append(s.fis, fi), append(s.vals, v)
	return first, false
}

// heldFile is an input file opened before it is read (openChecked):
// readLines, given one for the name, reads it instead of opening the name
// again, and closes it, unless keep is set (a first reading, after which
// the caller seeks back to read it again: see foldedDiffers). With cut
// set, readLines reads only its first end bytes (see wholeLinesEnd).
type heldFile struct {
	f    *os.File
	keep bool
	cut  bool
	end  int64
}

// Read reads from the held file.
func (h *heldFile) Read(p []byte) (int, error) { return h.f.Read(p) }

// heldOrOpen returns the file of src when it is a *heldFile, else opens
// name (openInput).
func heldOrOpen(ctx context.Context, name string, src io.Reader) (*os.File, error) {
	if h, ok := src.(*heldFile); ok {
		return h.f, nil
	}
	return openInput(ctx, name)
}

// openInput opens the file name for reading. Cancelling ctx returns
// ctx.Err() at once even while the open blocks, as it does for a named
// pipe (FIFO) until a writer opens it; the file is then closed once the
// open returns.
func openInput(ctx context.Context, name string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(name)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("open %s: %w", name, ctx.Err())
	}
}

// stdinOnce returns an error when "-" (standard input) is among args more
// than once: it can be read only once, and the second "-" would read
// nothing, silently.
func stdinOnce(args []string) error {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("standard input (-) given %d times; it can be read once: give - once, or the files by name", n)
	}
	return nil
}

// asReadWarning returns the warning err is when readLines read every line
// of an input but found a fault to warn about (*readWarning: bytes after
// its compressed data, an empty compressed file), or nil.
func asReadWarning(err error) *readWarning {
	if te := (*readWarning)(nil); errors.As(err, &te) {
		return te
	}
	return nil
}
