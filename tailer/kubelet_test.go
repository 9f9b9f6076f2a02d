package tailer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestResumeKubeletRotation: a container log followed through its
// /var/log/containers symlink, rotated by the kubelet while the tailer was
// stopped (0.log renamed to 0.log.<YYYYMMDD-hhmmss>, then compressed, and
// a new 0.log), is resumed from the rotated copy next to the file the
// symlink names, then the new file from 0: nothing lost, nothing twice.
//
// With late, the new 0.log is made only after the tailer started: the
// symlink names no file at the restart (the kubelet renamed 0.log, the
// runtime has not reopened it), and the copy must still be found next to
// the file it names, not next to the symlink (fresh-user trial 75: the
// rotated copy's lines were lost).
func TestResumeKubeletRotation(t *testing.T) {
	for _, tc := range []struct{ gz, late bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		gz := tc.gz
		name := "renamed"
		if gz {
			name = "renamed and compressed"
		}
		if tc.late {
			name += ", new file after the start"
		}
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			ctrDir := filepath.Join(root, "pods", "gitlab_web-0_uid", "webservice")
			if err := os.MkdirAll(ctrDir, 0o755); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(root, "containers"), 0o755)
			real := filepath.Join(ctrDir, "0.log")
			link := filepath.Join(root, "containers", "web-0_gitlab_webservice-abc.log")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			first, more, after := numbered("a", 0, 5), numbered("b", 0, 4), numbered("c", 0, 3)
			writeFile(t, real, first)
			cfg := testConfig(t, link)
			checkExactly(t, runOnce(t, cfg, 5), linesOf(first))

			appendFile(t, real, more)
			rotated := real + ".20240501-120000"
			if gz {
				data, _ := os.ReadFile(real)
				gzipFile(t, rotated+".gz", data)
				os.Remove(real)
			} else if err := os.Rename(real, rotated); err != nil {
				t.Fatal(err)
			}
			if !tc.late {
				writeFile(t, real, after)
			}

			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			if tc.late {
				c.waitN(len(linesOf(more)))
				writeFile(t, real, after)
			}
			want := append(linesOf(more), linesOf(after)...)
			c.waitN(len(want))
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			c.stop()
			checkExactly(t, c.texts(), want)
			if s := tl.Stats(); s.CheckpointDiscarded != 0 {
				t.Errorf("CheckpointDiscarded = %d, want 0", s.CheckpointDiscarded)
			}
		})
	}
}

// TestKubeletRotationLive: a container log followed through its
// /var/log/containers symlink, whose name is longer than the rotated
// names next to the file it names, is rotated by the kubelet while
// followed (0.log renamed to 0.log.<YYYYMMDD-hhmmss>, a new 0.log): the
// old file's lines, then the new file's, each once.
func TestKubeletRotationLive(t *testing.T) {
	root := t.TempDir()
	ctrDir := filepath.Join(root, "pods", "gitlab_web-0_uid", "webservice")
	if err := os.MkdirAll(ctrDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(ctrDir, "0.log")
	link := filepath.Join(root, "containers", "gitlab-webservice-default-5d8f9c7b6-x2x7q_gitlab_webservice-0123456789abcdef.log")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, numbered("a", 0, 5))
	c := start(t, testConfig(t, link))
	c.waitN(5)
	appendFile(t, real, numbered("a", 5, 8))
	if err := os.Rename(real, real+".20240501-120000"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, numbered("b", 0, 4))
	want := linesOf(numbered("a", 0, 8) + numbered("b", 0, 4))
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestResumeKubeletNamesBackwards: the kubelet named the copies rotated
// while the tailer was stopped earlier than the checkpoint's own copy
// (its clock stepped back). The tailer followed 0.log (A) until it was
// renamed to 0.log.20261201-100900 and a new 0.log (B) got lines, then
// stopped, the checkpoint in A (still drained for late writes: Next in B)
// or, once A was done, in B. While it was stopped, B got more lines and
// was renamed to 0.log.20261201-100800, a new 0.log (C) was written and
// renamed to 0.log.20261201-100700, a new 0.log (D) was written, and A
// was compressed (gzip keeps its modification time; logrotate's compress
// gives the .gz its own). At the restart the copies written after the
// checkpoint are read, those named before the checkpoint's copy after the
// others, then D: B's rest, C, D, each line once. Before, C, named
// before the checkpoint's copy, was skipped without a word (fresh-user
// trial 72).
func TestResumeKubeletNamesBackwards(t *testing.T) {
	cases := []struct {
		name string
		// drained: stop once A is done, so that the checkpoint is in
		// B; else while A is still drained (Next in B).
		drained bool
		// gzTime: give A's .gz the time it was compressed, after the
		// others; else A's own (gzip's default).
		gzTime bool
		// again: A is read again after B, before C. The checkpoint no
		// longer names A, and its .gz's name and time both say it came
		// after B: at least once.
		again bool
		// twice: one more copy, E, named before C, written after it:
		// C, then E, as they were written.
		twice bool
	}{
		{name: "checkpoint in the drained copy, gzip keeps its time"},
		{name: "checkpoint in the drained copy, compressed last", gzTime: true},
		{name: "checkpoint in the drained copy, two copies named back", twice: true},
		{name: "checkpoint in the newer file", drained: true},
		{name: "checkpoint in the newer file, two copies named back", drained: true, twice: true},
		{name: "checkpoint in the newer file, compressed last", drained: true, gzTime: true, again: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "0.log")
			writeFile(t, path, numbered("a", 0, 300))
			cfg := testConfig(t, path)
			if !tc.drained {
				cfg.RotateWait = time.Minute // A is still drained at the stop
			}
			c := start(t, cfg)
			c.waitN(300)
			rotA := path + ".20261201-100900"
			if err := os.Rename(path, rotA); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, numbered("b", 0, 30))
			c.waitN(330)
			if tc.drained {
				// A is done once the checkpoint left it.
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				waitStats(t, c.tl, "checkpoint in B", func(s Stats) bool {
					return s.CommittedFile.SameAs(fi) && s.CommittedOffset > 0
				})
			}
			c.stop()
			checkExactly(t, c.texts(), linesOf(numbered("a", 0, 300)+numbered("b", 0, 30)))

			// While stopped; each file last written a second after
			// the one before, as a writer going on would.
			at := time.Now().Add(time.Second)
			touch := func(name string, d time.Duration) {
				t.Helper()
				if err := os.Chtimes(name, at.Add(d), at.Add(d)); err != nil {
					t.Fatal(err)
				}
			}
			appendFile(t, path, numbered("b", 30, 330))
			touch(path, 0)
			if err := os.Rename(path, path+".20261201-100800"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, numbered("c", 0, 300))
			touch(path, time.Second)
			if err := os.Rename(path, path+".20261201-100700"); err != nil {
				t.Fatal(err)
			}
			if tc.twice {
				writeFile(t, path, numbered("e", 0, 100))
				touch(path, 1500*time.Millisecond)
				if err := os.Rename(path, path+".20261201-100600"); err != nil {
					t.Fatal(err)
				}
			}
			writeFile(t, path, numbered("d", 0, 50))
			touch(path, 2*time.Second)
			fi, err := os.Stat(rotA)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(rotA)
			if err != nil {
				t.Fatal(err)
			}
			gzipFile(t, rotA+".gz", data)
			if err := os.Remove(rotA); err != nil {
				t.Fatal(err)
			}
			if tc.gzTime {
				touch(rotA+".gz", 3*time.Second)
			} else if err := os.Chtimes(rotA+".gz", fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}

			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c2 := startTailer(t, tl, nil)
			want := numbered("b", 30, 330)
			if tc.again {
				want += numbered("a", 0, 300)
			}
			want += numbered("c", 0, 300)
			if tc.twice {
				want += numbered("e", 0, 100)
			}
			want += numbered("d", 0, 50)
			c2.waitN(len(linesOf(want)))
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			c2.stop()
			checkExactly(t, c2.texts(), linesOf(want))
		})
	}
}
