package spool

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

var discard = slog.New(slog.DiscardHandler)

// TestRotateCheck: with a rotate check the spool does not rotate until the
// reader is done with the previous file; it grows past its maximum
// meanwhile, and rotates once the check allows it.
func TestRotateCheck(t *testing.T) {
	dir := t.TempDir()
	f, err := Open(dir, "s.log", 10, discard)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ok atomic.Bool
	f.SetRotateCheck(func(os.FileInfo) bool { return ok.Load() })
	for i := range 5 {
		if err := f.Append([]byte(fmt.Sprintf("line %d\n", i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "s.log.1")); !os.IsNotExist(err) {
		t.Fatalf("rotated while the reader was not done: %v", err)
	}
	if data, _ := os.ReadFile(f.Path()); bytes.Count(data, []byte("\n")) != 5 {
		t.Fatalf("spool holds %q, want 5 lines", data)
	}
	ok.Store(true)
	if err := f.Append([]byte("line 5\n")); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(dir, "s.log.1"))
	if err != nil || bytes.Count(old, []byte("\n")) != 5 || f.Rotations() != 1 {
		t.Fatalf("after the check allowed it: s.log.1 = %q, %v, rotations %d", old, err, f.Rotations())
	}
	if cur, _ := os.ReadFile(f.Path()); string(cur) != "line 5\n" {
		t.Fatalf("new spool holds %q", cur)
	}
}

// TestWriter: concurrent Writes each return once their lines are in the
// file; Write after Close fails with ErrClosed.
func TestWriter(t *testing.T) {
	f, err := Open(t.TempDir(), "s.log", 1<<30, discard)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				line := fmt.Sprintf("g%d-%d\n", g, i)
				if err := w.Write([]byte(line)); err != nil {
					t.Error(err)
					return
				}
				data, _ := os.ReadFile(f.Path())
				if !bytes.Contains(data, []byte(line)) {
					t.Errorf("Write of %q returned before the line was in the file", line)
				}
			}
		})
	}
	wg.Wait()
	if w.Syncs() == 0 || w.Syncs() > 400 || w.Errors() != 0 {
		t.Errorf("syncs %d errors %d for 400 writes", w.Syncs(), w.Errors())
	}
	w.Close()
	if err := w.Write([]byte("late\n")); err != ErrClosed {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}
