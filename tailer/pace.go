package tailer

import (
	"os"
	"path/filepath"
	"time"
)

// minPoll is the shortest interval between two reads of a busy live file.
const minPoll = 2 * time.Millisecond

// pacer decides how a live file is read while lines flow. Above
// followBurst lines per FollowLinger the tailer reads the file itself every
// interval instead of through github.com/nxadm/tail's per-line path; below
// it nxadm/tail follows. The interval aims at a read every followBurst
// lines, within [minPoll, FollowLinger]: copytruncate loses the lines
// written after logrotate's copy and not read before its truncate, so the
// faster lines come, the more often they are read. The rate is measured
// over windows of max(PollInterval, 5×FollowLinger), in lines read.
type pacer struct {
	linger, window time.Duration
	busy           bool
	every          time.Duration // poll interval while busy
	start          time.Time     // start of the current window
	lines          uint64        // lines read when it started
}

// flowing records that lines flow (a burst from nxadm/tail, or a read
// that found at least followBurst lines) at now, with read lines read so
// far; it starts a window unless one is running.
func (p *pacer) flowing(now time.Time, read uint64) {
	if p.busy || p.linger <= 0 {
		return
	}
	p.busy, p.every = true, minPoll
	p.start, p.lines = now, read
}

// poll reports, at now with read lines read so far, whether the file is
// still busy and how long to wait before reading it again. At the end of
// each window it sets the interval from the rate seen, or stops polling
// when the rate fell below the threshold.
func (p *pacer) poll(now time.Time, read uint64) (time.Duration, bool) {
	if !p.busy {
		return 0, false
	}
	if d := now.Sub(p.start); d >= p.window {
		n := read - p.lines
		// lines per FollowLinger over the window
		perLinger := float64(n) * float64(p.linger) / float64(d)
		if perLinger < followBurst {
			p.busy = false
			return 0, false
		}
		p.every = time.Duration(float64(p.linger) * followBurst / perLinger)
		p.every = min(max(p.every, minPoll), p.linger)
		p.start, p.lines = now, read
	}
	return p.every, true
}

// vigilFor is how long after a rotated copy of the file was last written
// the tailer keeps following the file write by write (see copying).
const vigilFor = 2 * time.Second

// stop ends polling: the file is followed by github.com/nxadm/tail until a
// burst starts it again.
func (p *pacer) stop() { p.busy = false }

// copying reports whether a rotated copy of the file (plain, not .gz) was
// written less than vigilFor ago: logrotate's copytruncate is copying the
// file and will truncate it next. Lines written after the copy and before
// the truncation exist only in the live file, and only until then, so
// meanwhile the file is followed write by write instead of polled. It lists
// the directory only when the directory's mtime changed (a file was
// created, renamed or removed in it) or a copy was recent; otherwise it
// costs one stat.
func (t *Tailer) copying(now time.Time) bool {
	dir, err := os.Stat(filepath.Dir(t.cfg.Path))
	if err != nil {
		return false
	}
	recent := now.Sub(t.copyMod) < vigilFor
	if dir.ModTime().Equal(t.dirMod) && !recent {
		return false
	}
	t.dirMod = dir.ModTime()
	sibs, err := rotatedSiblings(t.cfg.Path)
	if err != nil {
		return recent
	}
	for _, s := range sibs {
		if !s.gz && s.fi.ModTime().After(t.copyMod) {
			t.copyMod = s.fi.ModTime()
		}
	}
	return now.Sub(t.copyMod) < vigilFor
}
