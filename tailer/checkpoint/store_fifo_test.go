//go:build unix

package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/blocktest"
)

// TestLoadFIFO: a record whose file is a FIFO is an error naming it and
// saying to remove it, returned at once: the FIFO is not opened (reading
// it blocked the agent at start, past SIGTERM; fresh-user trial 56). Save
// replaces it.
func TestLoadFIFO(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(s.File("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = blocktest.Within(t, 10*time.Second, "Load of a FIFO", func() error {
		var v map[string]any
		_, err := s.Load("k", &v)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("Load of a FIFO: %v, want an error saying it is not a regular file and to remove it", err)
	}
	if err := s.Save("k", map[string]int{"offset": 1}); err != nil {
		t.Fatalf("Save over the FIFO: %v", err)
	}
	var v map[string]int
	if ok, err := s.Load("k", &v); !ok || err != nil || v["offset"] != 1 {
		t.Errorf("after Save: ok %v, err %v, %v", ok, err, v)
	}
}

// TestSaveOverDirectory: a directory in a record's place makes Save fail
// with an error saying so and to remove it (fresh-user trial 57: "file
// exists", logged every second).
func TestSaveOverDirectory(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.File("k"), 0o700); err != nil {
		t.Fatal(err)
	}
	err = s.Save("k", map[string]int{"offset": 1})
	if err == nil || !strings.Contains(err.Error(), "it is a directory, which no record can replace: remove it") {
		t.Errorf("Save over a directory: %v, want it to say so and to remove it", err)
	}
	if !errors.Is(err, ErrDirInPlace) || strings.HasSuffix(err.Error(), " ") {
		t.Errorf("Save over a directory: %q, want it to wrap ErrDirInPlace and its text to end as it did", err)
	}
}
