// Package spool is an append-only file of lines written in fsync'd batches:
// the durable buffer between a receiver (the Audit Event Streaming
// receiver, the network inputs) and the tailer that follows the file like
// any log. A batch is durable once Append returns nil. When the file would
// grow past its maximum it is renamed to <name>.1, replacing an older one,
// and a new file is started; the tailer follows the rename. A file ending
// in a partial line after a crash or a failed write gets a newline before
// the next batch; nothing written is ever cut off again.
package spool

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
)

// File is the append-only spool file. It is owned by one goroutine (a
// commit loop) and not safe for concurrent use, except Rotations.
type File struct {
	dir, path string
	f         *os.File
	size      int64
	max       int64
	torn      bool // the file may end in a partial line
	log       *slog.Logger
	rotations atomic.Uint64 // read by Receiver.Stats from other goroutines
	// mayRotate, when set, is asked before each rotation; see SetRotateCheck.
	mayRotate atomic.Pointer[func(cur os.FileInfo) bool]
	held      bool // a rotation was held back and logged
}

// SetRotateCheck makes rotation wait until ok returns true for the current
// file (its FileInfo): the reader of the spool says so once it has
// committed a position in that file, that is, once it is done with the
// file rotated before, which the next rotation replaces. Until then the
// current file grows past the maximum, so that a slow reader never loses
// what was spooled. Safe for concurrent use.
func (s *File) SetRotateCheck(ok func(cur os.FileInfo) bool) { s.mayRotate.Store(&ok) }

// rotationHeld reports whether the reader is not done with the file a
// rotation would replace.
func (s *File) rotationHeld() bool {
	f := s.mayRotate.Load()
	if f == nil {
		return false
	}
	fi, err := s.f.Stat()
	if err != nil || (*f)(fi) {
		return false
	}
	if !s.held {
		s.held = true
		s.log.Warn("spool: rotation held back until the spool's reader is done with the previous file; the spool grows past its maximum meanwhile",
			"file", s.path, "size", s.size, "max", s.max)
	}
	return true
}

// Open opens (creating it and dir if needed) the spool file name in dir,
// rotated when it would grow past max bytes. log receives the warnings
// about a torn last line and about rotations.
func Open(dir, name string, max int64, log *slog.Logger) (*File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: create spool directory: %w", err)
	}
	s := &File{dir: dir, path: filepath.Join(dir, name), max: max, log: log}
	_, statErr := os.Stat(s.path)
	if err := s.open(); err != nil {
		return nil, err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		if err := SyncDir(dir); err != nil {
			s.f.Close()
			return nil, err
		}
	}
	if s.size > 0 {
		last, err := lastByte(s.path, s.size)
		if err != nil {
			s.f.Close()
			return nil, err
		}
		if last != '\n' {
			s.torn = true
			log.Warn("spool: spool ends in a partial line (interrupted write); the next event starts on a new line",
				"file", s.path)
		}
	}
	return s, nil
}

func (s *File) open() error {
	if fi, err := os.Stat(s.path); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 { // not opened: it would block until read
		return fmt.Errorf("spool: %s is a named pipe (FIFO), so it cannot be the spool: remove it (the spool is created again)", s.path)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("spool: open spool: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("spool: open spool: %w", err)
	}
	s.f, s.size = f, fi.Size()
	return nil
}

// lastByte returns the byte at size-1 of the file at path.
func lastByte(path string, size int64) (byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("spool: check end of spool: %w", err)
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.ReadAt(b[:], size-1); err != nil && err != io.EOF {
		return 0, fmt.Errorf("spool: check end of spool %s: %w", path, err)
	}
	return b[0], nil
}

// Append writes batch (whole lines) and fsyncs the file. Only a nil error
// means every line of the batch is durable. The file is append-only:
// bytes once written are never taken back, so its reader, which follows
// it as it grows, never reads bytes that later change. Disk space for the
// batch is reserved first (fallocate, on Linux), so that a full disk
// fails the batch before any of it is written; a write that fails part
// way (a file system that cannot reserve, an I/O error) leaves the lines
// written, and a partial last line is ended with a newline before the
// next batch.
func (s *File) Append(batch []byte) error {
	if s.size > 0 && s.size+int64(len(batch)) > s.max && !s.rotationHeld() {
		s.held = false
		if err := s.rotate(); err != nil {
			// Keep writing to the current file: a big spool beats a lost event.
			s.log.Error("spool: spool rotation failed; still appending to the current file", "file", s.path, "err", err)
		}
	}
	need := len(batch)
	if s.torn {
		need++
	}
	if err := reserve(s.f, s.size, need); err != nil {
		return fmt.Errorf("spool: write spool %s: no room for %d bytes: %w", s.path, need, err)
	}
	if s.torn {
		if _, err := s.f.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("spool: write spool %s: %w", s.path, err)
		}
		s.size++
		s.torn = false
	}
	n, err := s.f.Write(batch)
	s.size += int64(n)
	if err != nil {
		// What was written stays: the reader may have read it already,
		// and cut off it would leave the reader inside the lines written
		// after it. A partial last line is ended before the next batch,
		// so the reader gets it as a line of its own (one that does not
		// parse), and the writer's caller, given the error, sends the
		// batch's events again.
		s.torn = n > 0 && batch[n-1] != '\n'
		return fmt.Errorf("spool: write spool %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("spool: fsync spool %s: %w", s.path, err)
	}
	return nil
}

// rotate renames the spool to SpoolFile.1, replacing an older one, and
// starts a new spool.
func (s *File) rotate() error {
	old := s.path + ".1"
	if err := os.Rename(s.path, old); err != nil {
		return fmt.Errorf("rename %s to %s: %w", s.path, old, err)
	}
	prev := s.f
	if err := s.open(); err != nil {
		// The renamed file is still open: go on appending to it.
		s.f = prev
		return err
	}
	prev.Close() // every write to it was synced already
	s.torn = false
	s.rotations.Add(1)
	if err := SyncDir(s.dir); err != nil {
		return err
	}
	s.log.Info("spool: spool rotated", "file", s.path, "old", old)
	return nil
}

// Close closes the file.
func (s *File) Close() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("spool: close spool %s: %w", s.path, err)
	}
	return nil
}

// SyncDir fsyncs a directory so that files created or renamed in it persist.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: sync directory %s: %w", dir, err)
	}
	return nil
}

// Path returns the spool file's path.
func (s *File) Path() string { return s.path }

// Rotations returns how often the file was rotated; safe for concurrent use.
func (s *File) Rotations() uint64 { return s.rotations.Load() }
