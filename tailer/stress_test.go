package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRotationUnderLoad writes lines steadily and rotates every 500 lines,
// several times within one RotateWait, by rename or by copytruncate (plain
// or compressed copies); every line must arrive exactly once, in order. It
// runs with each follower: the notifier (the default) and the fallback
// github.com/nxadm/tail alone (FollowNxadmTail, FollowLinger < 0).
func TestRotationUnderLoad(t *testing.T) {
	for _, reader := range []string{"notify", "nxadm"} {
		for _, mode := range []string{"rename", "copytruncate", "copytruncate-gzip"} {
			t.Run(reader+"/"+mode, func(t *testing.T) { rotationUnderLoad(t, reader, mode) })
		}
	}
}

func rotationUnderLoad(t *testing.T, reader, mode string) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "")
	cfg := testConfig(t, path)
	cfg.RotateWait = 100 * time.Millisecond
	if reader == "nxadm" {
		cfg.Follower = FollowNxadmTail
		cfg.FollowLinger = -1 // nxadm/tail reads all live lines
	}
	c := start(t, cfg)
	const total, every = 3000, 500
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < total; i++ {
		line := fmt.Sprintf("line-%06d", i)
		want = append(want, line)
		if _, err := w.WriteString(line + "\n"); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			time.Sleep(time.Millisecond)
		}
		if i%every == every-1 {
			k := i / every
			switch mode {
			case "rename":
				if err := os.Rename(path, fmt.Sprintf("%s.%d", path, 100-k)); err != nil {
					t.Fatal(err)
				}
				w.Close()
				if w, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
					t.Fatal(err)
				}
			case "copytruncate":
				copyTruncate(t, path, fmt.Sprintf("%s.%d", path, 100-k))
			case "copytruncate-gzip":
				copyTruncate(t, path, fmt.Sprintf("%s.%d.gz", path, 100-k))
			}
		}
	}
	w.Close()
	c.waitN(total)
	// Nothing more may come: wait until the tailer follows at the end.
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	st := c.tl.Stats()
	c.stop()
	checkExactly(t, c.texts(), want)
	t.Logf("%d of %d lines came through nxadm/tail", st.FollowedLines, st.Lines)
	switch {
	case reader == "notify" && st.FollowedLines != 0:
		t.Errorf("FollowedLines = %d of %d: with FollowNotify the tailer's own reader reads every line", st.FollowedLines, total)
	case reader == "nxadm" && st.FollowedLines == 0:
		t.Errorf("FollowedLines = 0: with FollowNxadmTail nxadm/tail should deliver live lines")
	}
}
