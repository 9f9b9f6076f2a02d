package tailer

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// runOnce starts a tailer, waits for n lines, stops it and returns its lines.
func runOnce(t *testing.T, cfg Config, n int) []string {
	t.Helper()
	c := start(t, cfg)
	c.waitN(n)
	if err := c.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return c.texts()
}

func readCheckpoint(t *testing.T, cfg Config) checkpoint.Position {
	t.Helper()
	data, err := os.ReadFile(checkpointFile(t, cfg.StateDir, cfg.Path))
	if err != nil {
		t.Fatal(err)
	}
	var ck checkpoint.Position
	if err := json.Unmarshal(data, &ck); err != nil {
		t.Fatalf("checkpoint is not JSON: %v: %s", err, data)
	}
	return ck
}

func writeCheckpoint(t *testing.T, cfg Config, ck checkpoint.Position) {
	t.Helper()
	if err := testStore(t, cfg.StateDir).Save(checkpoint.PositionKey(cfg.Path), ck); err != nil {
		t.Fatal(err)
	}
}

// checkpointFor returns a checkpoint at offset for the file at name.
func checkpointFor(t *testing.T, path, name string, offset int64) checkpoint.Position {
	t.Helper()
	s, _, err := openLogFile(name)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	return checkpoint.Position{Version: checkpoint.PositionVersion, Path: path, Dev: s.id.Dev, Ino: s.id.Ino,
		Fingerprint: hex.EncodeToString(s.id.Fingerprint[:]), FpLen: s.id.FingerprintLen, Offset: offset,
		Updated: time.Now()}
}

// stillRunning asserts that nothing more arrives: it waits until the tailer
// follows and has read to the end of the file.
func TestResume(t *testing.T) {
	first := numbered("a", 0, 10) // 9 bytes a line
	more := numbered("m", 0, 5)
	cases := []struct {
		name    string
		startAt StartAt
		// prepare changes the files and/or the checkpoint after a first
		// run that delivered and committed `first`.
		prepare   func(t *testing.T, cfg Config)
		want      []string
		discarded uint64
		truncs    uint64
		unplaced  uint64
		oldDir    string // Config.OldDir, a directory made next to the file
	}{
		{
			name:    "valid offset",
			prepare: func(t *testing.T, cfg Config) { appendFile(t, cfg.Path, more) },
			want:    linesOf(more),
		},
		{
			name: "mid-line offset resumes at line start",
			prepare: func(t *testing.T, cfg Config) {
				writeCheckpoint(t, cfg, checkpointFor(t, cfg.Path, cfg.Path, 9*7+4))
			},
			want: linesOf(numbered("a", 7, 10)),
		},
		{
			name: "offset past EOF on the same inode reads from 0",
			prepare: func(t *testing.T, cfg Config) {
				writeCheckpoint(t, cfg, checkpointFor(t, cfg.Path, cfg.Path, 9*10+500))
			},
			want:   linesOf(first),
			truncs: 1,
		},
		{
			name: "truncated and rewritten while down, no copy",
			prepare: func(t *testing.T, cfg Config) {
				f, err := os.OpenFile(cfg.Path, os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(numbered("z", 0, 20))
				f.Close()
			},
			want:   linesOf(numbered("z", 0, 20)),
			truncs: 1,
		},
		{
			name: "replaced inode, no rotated copy: StartAt beginning",
			prepare: func(t *testing.T, cfg Config) {
				replaceFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want:      linesOf(numbered("n", 0, 3)),
			discarded: 1,
		},
		{
			name:    "replaced inode, no rotated copy: StartAt end",
			startAt: StartEnd,
			prepare: func(t *testing.T, cfg Config) {
				replaceFile(t, cfg.Path, numbered("n", 0, 3)+"partial")
			},
			want:      []string{"partial-done"},
			discarded: 1,
		},
		{
			name: "renamed while down: rest of .1 then the new file",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, more)
				if err := os.Rename(cfg.Path, cfg.Path+".1"); err != nil {
					t.Fatal(err)
				}
				writeFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: append(linesOf(more), linesOf(numbered("n", 0, 3))...),
		},
		{
			name: "copytruncate+compress while down: rest of .1.gz then the file",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, more)
				copyTruncate(t, cfg.Path, cfg.Path+".1.gz")
				appendFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: append(linesOf(more), linesOf(numbered("n", 0, 3))...),
		},
		{
			name: "renamed into the olddir while down: rest of old/.1 then the new file",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, more)
				if err := os.Rename(cfg.Path, filepath.Join(filepath.Dir(cfg.Path), "old", "app.log.1")); err != nil {
					t.Fatal(err)
				}
				writeFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want:   append(linesOf(more), linesOf(numbered("n", 0, 3))...),
			oldDir: "old",
		},
		{
			name: "copytruncate+compress into the olddir while down: rest of old/-DATE.gz then the file",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, more)
				copyTruncate(t, cfg.Path, filepath.Join(filepath.Dir(cfg.Path), "old", "app.log-20261122.gz"))
				appendFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want:   append(linesOf(more), linesOf(numbered("n", 0, 3))...),
			oldDir: "old",
		},
		{
			name: "dateext rename + gzip while down",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, more)
				data, _ := os.ReadFile(cfg.Path)
				gzipFile(t, cfg.Path+"-20261122.gz", data)
				os.Remove(cfg.Path)
				writeFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: append(linesOf(more), linesOf(numbered("n", 0, 3))...),
		},
		{
			// The inode of the checkpoint's file, removed by logrotate's
			// rotate count while down, reused by the new file at the path:
			// it looks truncated; the copy written after the checkpoint
			// (delaycompress: plain path.1) comes first.
			name: "inode reused after the rotate count removed the checkpoint's file: the newer copy, then the file",
			prepare: func(t *testing.T, cfg Config) {
				time.Sleep(10 * time.Millisecond)
				writeFile(t, cfg.Path+".1", numbered("b", 0, 4))
				f, err := os.OpenFile(cfg.Path, os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(numbered("n", 0, 3))
				f.Close()
			},
			want:   append(linesOf(numbered("b", 0, 4)), linesOf(numbered("n", 0, 3))...),
			truncs: 1,
		},
		{
			// logrotate (rotate 1, compress) ran twice while down: the
			// checkpoint's file is gone (its rest lost), the one after it
			// is .1.gz, written after the checkpoint and never read.
			name: "checkpoint's file removed by the rotate count while down: the newer copies, then the file",
			prepare: func(t *testing.T, cfg Config) {
				rotatedPastCount(t, cfg.Path, numbered("b", 0, 4), numbered("n", 0, 3))
			},
			want:      append(linesOf(numbered("b", 0, 4)), linesOf(numbered("n", 0, 3))...),
			discarded: 1,
		},
		{
			name:    "checkpoint's file removed by the rotate count while down, start_at end: the newer copies named",
			startAt: StartEnd,
			prepare: func(t *testing.T, cfg Config) {
				rotatedPastCount(t, cfg.Path, numbered("b", 0, 4), numbered("n", 0, 3)+"partial")
			},
			want:      []string{"partial-done"},
			discarded: 1,
			unplaced:  1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, first)
			cfg := testConfig(t, path)
			if cfg.OldDir = tc.oldDir; tc.oldDir != "" {
				if err := os.Mkdir(OldDir(path, tc.oldDir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			checkExactly(t, runOnce(t, cfg, 10), linesOf(first))
			if ck := readCheckpoint(t, cfg); ck.Offset != int64(len(first)) {
				t.Fatalf("checkpoint offset %d, want %d", ck.Offset, len(first))
			}
			tc.prepare(t, cfg)
			cfg.StartAt = tc.startAt
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			if tc.startAt == StartEnd {
				waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
				appendFile(t, path, "-done\n")
			}
			c.waitN(len(tc.want))
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			c.stop()
			checkExactly(t, c.texts(), tc.want)
			s := tl.Stats()
			if s.CheckpointDiscarded != tc.discarded || s.Truncations != tc.truncs || s.UnplacedRotated != tc.unplaced {
				t.Errorf("CheckpointDiscarded = %d, Truncations = %d, UnplacedRotated = %d; want %d, %d, %d",
					s.CheckpointDiscarded, s.Truncations, s.UnplacedRotated, tc.discarded, tc.truncs, tc.unplaced)
			}
		})
	}
}

// rotatedPastCount does what logrotate with rotate 1 and compress does
// when it runs twice: the file at path goes to path.1 (a new file with b
// takes its place), then path.1 is removed by the rotate count, path goes
// to path.1.gz and a new file with live is put at path.
func rotatedPastCount(t *testing.T, path, b, live string) {
	t.Helper()
	time.Sleep(10 * time.Millisecond) // the copies are written after the checkpoint
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
	if err := os.Remove(path + ".1"); err != nil {
		t.Fatal(err)
	}
	gzipFile(t, path+".1.gz", []byte(b))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, live)
}

// replaceFile puts a new file at name by rename, so its inode differs
// (removing first could let the new file reuse the inode number).
func replaceFile(t *testing.T, name, data string) {
	t.Helper()
	writeFile(t, name+".tmp", data)
	if err := os.Rename(name+".tmp", name); err != nil {
		t.Fatal(err)
	}
}

func gzipFile(t *testing.T, name string, data []byte) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptCheckpointIsDiscarded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "x\n")
	cfg := testConfig(t, path)
	os.MkdirAll(cfg.StateDir, 0o750)
	writeFile(t, checkpointFile(t, cfg.StateDir, path), `{"version":1,"offs`)
	c := start(t, cfg)
	c.waitN(1)
	c.stop()
	checkExactly(t, c.texts(), []string{"x"})
	if s := c.tl.Stats(); s.CheckpointDiscarded != 1 {
		t.Errorf("CheckpointDiscarded = %d, want 1", s.CheckpointDiscarded)
	}
}

// A file rewritten in place while stopped, with the same first KiB, is
// caught by the hash of the bytes before the offset and read from 0.
func TestResumeRewrittenSameHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	first := numbered("a", 0, 200) // 1800 bytes: the fingerprint covers 1 KiB
	writeFile(t, path, first)
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 200), linesOf(first))
	ck := readCheckpoint(t, cfg)
	if ck.PreLen != preWindow || ck.FpLen != FingerprintMax {
		t.Fatalf("checkpoint pre_len %d fp_len %d, want %d %d", ck.PreLen, ck.FpLen, preWindow, FingerprintMax)
	}
	rewritten := numbered("a", 0, 150) + numbered("z", 0, 100) // same head, longer
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(rewritten)
	f.Close()
	c := start(t, cfg)
	want := linesOf(rewritten)
	c.waitN(len(want))
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	c.stop()
	checkExactly(t, c.texts(), want)
	if s := c.tl.Stats(); s.Truncations != 1 {
		t.Errorf("Truncations = %d, want 1", s.Truncations)
	}
}

// A checkpoint file in the version-1 format, written as text the way
// earlier releases wrote it, is resumed from; the position the tailer
// writes back is in the same format.
func TestResumeFromVersion1Text(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	writeFile(t, path, numbered("a", 0, 10)) // 9 bytes a line
	cfg := testConfig(t, path)
	s, _, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s.close()
	text := fmt.Sprintf(`{"version":1,"path":%q,"file":%q,"dev":%d,"ino":%d,"fingerprint":"%s","fp_len":%d,"offset":45,"updated":"2026-11-28T17:04:05.123456789Z"}`+"\n",
		path, path, s.id.Dev, s.id.Ino, hex.EncodeToString(s.id.Fingerprint[:]), s.id.FingerprintLen)
	testStore(t, cfg.StateDir) // creates the directory
	writeFile(t, checkpointFile(t, cfg.StateDir, path), text)
	got := runOnce(t, cfg, 5)
	checkExactly(t, got, linesOf(numbered("a", 5, 10)))
	var back map[string]any
	data, err := os.ReadFile(checkpointFile(t, cfg.StateDir, path))
	if err != nil || json.Unmarshal(data, &back) != nil {
		t.Fatalf("checkpoint written back: %v: %s", err, data)
	}
	for _, k := range []string{"version", "path", "file", "dev", "ino", "fingerprint", "fp_len", "offset", "pre_len", "pre_hash", "updated"} {
		if _, ok := back[k]; !ok {
			t.Errorf("checkpoint written back lacks %q: %s", k, data)
		}
	}
	if back["offset"] != float64(90) || back["version"] != float64(1) {
		t.Errorf("checkpoint written back: %s, want version 1 and offset 90", data)
	}
}

// A store given in Config.Checkpoints is the one the tailer reads and
// writes; no state directory is needed.
func TestInjectedStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, numbered("a", 0, 4))
	st := testStore(t, filepath.Join(t.TempDir(), "shared"))
	cfg := testConfig(t, path)
	cfg.StateDir = ""
	cfg.Checkpoints = st
	checkExactly(t, runOnce(t, cfg, 4), linesOf(numbered("a", 0, 4)))
	p, err := st.LoadPosition(path)
	if err != nil || p == nil || p.Offset != 36 {
		t.Fatalf("position in the injected store = %+v, %v; want offset 36", p, err)
	}
	appendFile(t, path, numbered("b", 0, 2))
	checkExactly(t, runOnce(t, cfg, 2), linesOf(numbered("b", 0, 2)))
}
