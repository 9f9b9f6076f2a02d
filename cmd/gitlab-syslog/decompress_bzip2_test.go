package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBzip2CutOrDamaged: a .bz2 cut inside a block is truncated
// ("ends early", as bzip2 -t says "file ends unexpectedly"), not damaged:
// compress/bzip2 reports a block checksum mismatch for both, and the cut
// one used to be called damaged. A whole file with bytes changed inside
// its block stays damaged.
func TestBzip2CutOrDamaged(t *testing.T) {
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 is not installed: apt-get install bzip2")
	}
	src := writeFile(t, filepath.Join(t.TempDir(), "a.log"), strings.Join(cutSample(), "\n")+"\n")
	whole, err := exec.Command("bzip2", "-9", "-c", src).Output() // 900k blocks
	if err != nil {
		t.Fatal(err)
	}
	damaged := []byte(string(whole))
	for i := len(damaged) / 2; i < len(damaged)/2+4; i++ {
		damaged[i] ^= 0x55
	}
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"cut in a block", string(whole[:len(whole)/2]), []string{"bzip2 data ends early after ", " (unexpected EOF): the file is truncated at byte "}},
		{"cut near its end", string(whole[:len(whole)-12]), []string{"bzip2 data ends early after ", "the file is truncated"}},
		{"damaged in a block", string(damaged), []string{"bzip2 data is damaged after ", " (bzip2 data invalid: block checksum mismatch)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "a.log.1.bz2"), tc.data)
			err := readInput(context.Background(), path, nil, 0, func(string, int, []byte, int) error { return nil })
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error = %v\nwant one containing %q", err, w)
				}
			}
		})
	}
}
