package tailer

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the tailer's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestGoneFileLogged: when the followed path stops naming the file, the log
// says what happened (deleted, renamed away, replaced), and only a rotation
// is counted as one.
func TestGoneFileLogged(t *testing.T) {
	tests := []struct {
		name          string
		do            func(t *testing.T, path string)
		wantLog       string
		wantRotations uint64
	}{
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "tailer: the file was deleted", 0},
		{"renamed away", func(t *testing.T, path string) {
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
		}, "tailer: the file was renamed away (rotation)", 1},
		{"replaced", func(t *testing.T, path string) {
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "new\n")
		}, "tailer: the path names a new file (rotation)", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, numbered("a", 0, 10))
			cfg := testConfig(t, path)
			cfg.Poll = true
			var logs lockedBuffer
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			c := start(t, cfg)
			c.waitN(10)
			waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == "following" })
			tc.do(t, path)
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(logs.String(), tc.wantLog) {
				if time.Now().After(deadline) {
					t.Fatalf("log lacks %q:\n%s", tc.wantLog, logs.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			c.stop()
			for _, other := range tests {
				if other.wantLog != tc.wantLog && strings.Contains(logs.String(), other.wantLog) {
					t.Errorf("log also says %q:\n%s", other.wantLog, logs.String())
				}
			}
			if s := c.tl.Stats(); s.Rotations != tc.wantRotations {
				t.Errorf("Rotations = %d, want %d", s.Rotations, tc.wantRotations)
			}
		})
	}
}
