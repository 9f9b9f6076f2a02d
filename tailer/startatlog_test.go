package tailer

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The warnings for a checkpoint that cannot place the file name the
// config key start_at (not the Go field StartAt) and say what it means
// now: what was not sent or is sent again, where the rotated copies were
// looked for and how to send the lines missed (fresh-user trial).
func TestCheckpointLostWarnings(t *testing.T) {
	first := numbered("a", 0, 10)
	cases := []struct {
		name    string
		startAt StartAt
		prepare func(t *testing.T, cfg Config)
		want    []string
		sent    string // when not empty, the lines the tailer sends
	}{
		{
			name: "file replaced while stopped, start_at beginning",
			prepare: func(t *testing.T, cfg Config) {
				replaceFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: []string{
				"lines written to it after the checkpoint offset, if any, may not have been sent (those delivered since the last checkpoint save, up to checkpoint_interval before a stop or crash, were; send_missed sends them again too)",
				"start_at beginning: the file now at the path is sent whole",
				"send those lines with gitlab-syslog send",
				"looked_for=\"app.log.N, app.log-DATE, app.log.DATE, app.log_DATE, each also .gz, in ", "(give the source's olddir if logrotate moves them elsewhere)",
				"send_missed=\"tail -n +$(( $(head -c 90 OLD_FILE | wc -l) + 1 )) OLD_FILE | gitlab-syslog send --to URL\"",
				"checkpoint_offset=90",
			},
		},
		{
			// The kubelet rotated the file, read to its end, and
			// removed the copy while the agent was stopped: nothing
			// was lost, and the warning must not say that lines were
			// (fresh-user trial 72).
			name: "checkpoint's copy, read to its end, removed while stopped",
			prepare: func(t *testing.T, cfg Config) {
				rot := cfg.Path + ".20261201-100900"
				if err := os.Rename(cfg.Path, rot); err != nil {
					t.Fatal(err)
				}
				writeFile(t, cfg.Path, numbered("n", 0, 3))
				if err := os.Remove(rot); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"lines written to it after the checkpoint offset, if any, may not have been sent (those delivered since the last checkpoint save, up to checkpoint_interval before a stop or crash, were; send_missed sends them again too)",
				"checkpoint_offset=90",
			},
		},
		{
			// The checkpoint's file was rotated and compressed while
			// the agent was stopped, and its .gz cut to its header:
			// the copy cannot be told to hold it, and the warning names
			// it as unreadable rather than saying no copy holds the
			// file (fresh-user trial 113). (The new file may reuse the
			// old inode: the warning is then the one of a truncation.)
			name: "checkpoint's copy compressed and cut to its header",
			prepare: func(t *testing.T, cfg Config) {
				appendFile(t, cfg.Path, numbered("b", 0, 5))
				if err := os.Rename(cfg.Path, cfg.Path+".1"); err != nil {
					t.Fatal(err)
				}
				gzipAway(t, cfg.Path+".1")
				if err := os.Truncate(cfg.Path+".1.gz", 10); err != nil {
					t.Fatal(err)
				}
				writeFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: []string{
				"a rotated copy that could not be read may",
				"check them with gzip -t",
				"unreadable_copies=",
				"app.log.1.gz",
			},
		},
		{
			// No file at the path when the tailer starts: the one
			// that appears later is new, read whole whatever start_at.
			name:    "file removed while stopped, start_at end",
			startAt: StartEnd,
			prepare: func(t *testing.T, cfg Config) {
				if err := os.Remove(cfg.Path); err != nil {
					t.Fatal(err)
				}
				go func() {
					time.Sleep(100 * time.Millisecond)
					if err := os.WriteFile(cfg.Path, []byte(numbered("n", 0, 3)), 0o644); err != nil {
						t.Error(err)
					}
				}()
			},
			want: []string{
				"lines written to it after the checkpoint offset, if any, may not have been sent (those delivered since the last checkpoint save, up to checkpoint_interval before a stop or crash, were; send_missed sends them again too)",
				"no file is at the path now: the file that appears there is sent whole",
			},
			sent: numbered("n", 0, 3),
		},
		{
			name:    "file replaced while stopped, start_at end",
			startAt: StartEnd,
			prepare: func(t *testing.T, cfg Config) {
				replaceFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: []string{
				"lines written to it after the checkpoint offset, if any, may not have been sent (those delivered since the last checkpoint save, up to checkpoint_interval before a stop or crash, were; send_missed sends them again too)",
				"start_at end: the lines already in the file now at the path are skipped",
				"send_missed=",
			},
		},
		{
			// logrotate's copytruncate, compress, delaycompress,
			// dateext and olddir old/ while the agent was stopped, and
			// a source without olddir: the copy is where the tailer
			// does not look. Before, the warning said neither where it
			// looked nor that lines may be lost (fresh-user trial).
			name: "file truncated while stopped, its copy in a directory not looked in",
			prepare: func(t *testing.T, cfg Config) {
				data, err := os.ReadFile(cfg.Path)
				if err != nil {
					t.Fatal(err)
				}
				old := filepath.Join(filepath.Dir(cfg.Path), "old")
				if err := os.Mkdir(old, 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(old, "app.log-20261201"), string(data))
				if err := os.Truncate(cfg.Path, 0); err != nil {
					t.Fatal(err)
				}
				appendFile(t, cfg.Path, numbered("n", 0, 3))
			},
			want: []string{
				"no longer begins with what was read before the stop, and no rotated copy does",
				"it was truncated while stopped, or it is a new file on the inode of the checkpoint's file",
				"reading it from the start; lines the checkpoint's file held after the checkpoint offset, if any, are lost",
				"checkpoint_offset=90",
				"size_now=" + strconv.Itoa(len(numbered("n", 0, 3))),
				"looked_for=\"app.log.N, app.log-DATE, app.log.DATE, app.log_DATE, each also .gz, in ", "(give the source's olddir if logrotate moves them elsewhere)",
				"send_missed=\"tail -n +$(( $(head -c 90 COPY | wc -l) + 1 )) COPY | gitlab-syslog send --to URL\"",
			},
		},
		{
			name: "corrupt checkpoint, start_at beginning",
			prepare: func(t *testing.T, cfg Config) {
				writeFile(t, checkpointFile(t, cfg.StateDir, cfg.Path), `{"version":1,"offs`)
			},
			want: []string{
				"the checkpoint saved for the file cannot be used (see err); start_at",
				"start_at beginning: the file is sent whole again, so the lines sent before arrive twice",
				"is not valid JSON",
			},
		},
		{
			name:    "corrupt checkpoint, start_at end",
			startAt: StartEnd,
			prepare: func(t *testing.T, cfg Config) {
				writeFile(t, checkpointFile(t, cfg.StateDir, cfg.Path), `{"version":1,"offs`)
			},
			want: []string{
				"start_at end: the lines already in the file are skipped, those written while the agent was stopped included: they are not sent",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, first)
			cfg := testConfig(t, path)
			checkExactly(t, runOnce(t, cfg, 10), linesOf(first))
			tc.prepare(t, cfg)
			var logs lockedBuf
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			cfg.StartAt = tc.startAt
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			c.stop()
			if tc.sent != "" {
				checkExactly(t, c.texts(), linesOf(tc.sent))
			}
			got := logs.String()
			if strings.Contains(got, "StartAt") {
				t.Errorf("log names the Go field StartAt:\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("log lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestSendMissed runs the send_missed command, its send replaced by cat,
// on a copy: it prints the lines from the start of the line that holds the
// offset, so that a checkpoint inside a last line sent without its newline
// sends that line whole, not its loose tail (fresh-user trial 106).
func TestSendMissed(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "copy"), "a\nbcd\nef\n")
	for _, tc := range []struct {
		offset int64
		want   string
	}{
		{0, "a\nbcd\nef\n"},
		{2, "bcd\nef\n"}, // after a newline
		{4, "bcd\nef\n"}, // inside "bcd"
		{9, ""},          // at the end
	} {
		cmd, ok := strings.CutSuffix(sendMissed("copy", tc.offset), " | gitlab-syslog send --to URL")
		if !ok {
			t.Fatalf("%q does not end in the send", sendMissed("copy", tc.offset))
		}
		c := exec.Command(sh, "-c", cmd)
		c.Dir = dir
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if string(out) != tc.want {
			t.Errorf("offset %d: %s printed %q, want %q", tc.offset, cmd, out, tc.want)
		}
	}
}
