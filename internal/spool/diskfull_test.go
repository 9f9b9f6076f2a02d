//go:build linux

package spool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/fulldisk"
)

// TestAppendDiskFull: on a full disk, Append fails before it writes
// anything, and the batches appended once there is room again follow the
// last good one: a reader that follows the file as it grows (as the
// tailer does) never reads bytes that are later taken back. Before
// (trial 228), a batch the disk had no room for was written in part and
// then cut off again; the tailer, which had read that part, went on from
// inside the next batch: it sent a line made of the refused event's start
// and the next batch's end, and lost the events acknowledged after it.
// The disk is a tmpfs mounted for the test (root only); space is freed
// and used up again by a filler file on it, over several rounds.
func TestAppendDiskFull(t *testing.T) {
	dir := fulldisk.Mount(t, "1m")
	f, err := Open(dir, "s.log", 1<<30, discard)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// The reader: reads the file from where it is as it grows, without
	// waiting, for as long as the test writes.
	var (
		seen []byte
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		r, err := os.Open(f.Path())
		if err != nil {
			t.Error(err)
			return
		}
		defer r.Close()
		buf := make([]byte, 64<<10)
		read := func() int {
			n, _ := r.ReadAt(buf, int64(len(seen)))
			seen = append(seen, buf[:n]...)
			return n
		}
		for {
			select {
			case <-stop: // the writes are done: read to the end
				for read() > 0 {
				}
				return
			default:
				read()
			}
		}
	}()

	filler := filepath.Join(dir, "filler")
	line := func(name string, size int) []byte {
		return fmt.Appendf(nil, "{\"id\":%q,\"pad\":%q}\n", name, bytes.Repeat([]byte{name[0]}, size))
	}
	var want []byte
	for round := range 20 {
		fulldisk.Fill(t, filler, 12<<10) // room for a part of refused
		refused := line(fmt.Sprintf("refused-%d", round), 20<<10)
		if err := f.Append(refused); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("round %d: Append on a full disk = %v, want ENOSPC", round, err)
		}
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		good := line(fmt.Sprintf("good-%d", round), 8<<10)
		if err := f.Append(good); err != nil {
			t.Fatalf("round %d: Append once there is room: %v", round, err)
		}
		want = append(want, good...)
	}
	close(stop)
	wg.Wait()
	got, err := os.ReadFile(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the spool holds %d bytes, want the %d of the good batches alone:\n%.300q", len(got), len(want), got)
	}
	if !bytes.Equal(seen, want) {
		t.Errorf("the reader read %d bytes that are not the good batches (%d bytes): it read bytes later cut off:\n%.300q", len(seen), len(want), seen)
	}
}
