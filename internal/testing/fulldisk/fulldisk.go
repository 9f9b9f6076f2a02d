//go:build linux

// Package fulldisk gives tests a small disk of their own to fill: a tmpfs
// mounted for the test (which needs root; the test is skipped otherwise),
// and a filler file that takes its room.
package fulldisk

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of size (mount(8)'s size option, e.g. "1m") on a
// new temporary directory and returns the directory; it is unmounted when
// the test ends. It skips the test when the mount fails (not root).
func Mount(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("mount a tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// Fill writes the file path, on a disk Mount made, until the disk has no
// room left, then cuts room bytes off it, which leaves that much room.
func Fill(t testing.TB, path string, room int64) {
	t.Helper()
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	block := make([]byte, 4096)
	for {
		_, err := w.Write(block)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fi, err := w.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Truncate(max(0, fi.Size()-room)); err != nil {
		t.Fatal(err)
	}
}
