package tailer

import (
	"path/filepath"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// waitSlack is how far before the start of a wait (checkpoint.Wait.Since)
// a rotated copy may have been last written and still be read as made
// since: the kernel stamps files from a coarse clock, and some file
// systems keep seconds or two.
const waitSlack = 2 * time.Second

// waitRecord is the state of the path's checkpoint.Wait record, kept for
// a configured path (a tailer with a store, and neither Config.NewSince
// nor Config.Matched, which a glob's matches have): whenever the tailer
// begins to wait for a file at the path (none at start, or none after a
// rotation or a deletion), it saves when, so that a restart reads a file
// that appeared meanwhile as new: from its beginning whatever StartAt,
// after its plain rotated copies last written since (Config.NewSince, set
// from the record by New when there is no checkpoint; start's lost
// checkpoint when the file of the checkpoint is gone). A checkpoint saved
// in another file than the one followed when the wait began removes the
// record.
type waitRecord struct {
	on    bool      // the path keeps a wait record
	since time.Time // of the record loaded by New, usable; zero: none
	// kept: a usable record of the current wait is in the store, saved
	// while the committed position was in the file of (zero: none); junk:
	// an unusable one is, to replace or remove. Guarded by Tailer.mu.
	kept, junk bool
	of         FileID
}

// loadWait, for New, reads the path's wait record, when the tailer keeps
// one (waitRecord.on). A usable record sets waitRecord.since, and, when
// the tailer has no checkpoint (ck nil), Config.NewSince: the record's
// time less waitSlack. A record that cannot be used is logged and
// replaced at the next wait, or removed at the next checkpoint.
func (t *Tailer) loadWait(ck *checkpoint.Position) {
	if t.ckp.store == nil || !t.cfg.NewSince.IsZero() || t.cfg.Matched != nil {
		return
	}
	t.ckp.wait.on = true
	w, err := t.ckp.store.LoadWait(t.cfg.Path)
	why := ""
	switch {
	case err != nil:
		why = err.Error()
	case w == nil:
		return
	default:
		why = w.Problem(t.cfg.Path, time.Now(), waitSlack)
	}
	if why != "" {
		t.ckp.wait.junk = true
		key, fate := checkpoint.WaitKey(t.cfg.Path), "the record is replaced"
		if !t.ckp.store.Replaceable(key) {
			fate = checkpoint.DirInPlace
		}
		t.log.Warn("tailer: the wait record saved for the path cannot be used; a file at the path is taken as there at start (start_at), its rotated copies not read; "+fate,
			"file", t.ckp.store.File(key), "why", why)
		return
	}
	t.ckp.wait.since, t.ckp.wait.kept = w.Since, true
	if ck == nil {
		t.useWait()
	}
}

// useWait makes the tailer read the file at the path as one that
// appeared since the wait its record holds (Config.NewSince: the record's
// time less waitSlack), and logs it. It reports false, doing nothing,
// without a usable record.
func (t *Tailer) useWait() bool {
	if t.ckp.wait.since.IsZero() {
		return false
	}
	t.cfg.NewSince = t.ckp.wait.since.Add(-waitSlack)
	t.log.Info("tailer: the path had no file when the agent last waited for it; a file there is read as new, after its rotated copies made since",
		"waiting_since", t.ckp.wait.since.UTC().Format(time.RFC3339))
	return true
}

// savedWait saves, when the tailer keeps a wait record, one for the wait
// for a file at the path that began at: when it found the path without a
// file (check, before it drains the file renamed away or deleted, so that
// a stop meanwhile finds the record), or began to wait at start
// (openLive). A record of the same wait, saved before, is kept: its time
// is the earlier. A failure is logged: a restart then takes a file at the
// path as there at start.
func (t *Tailer) savedWait(at time.Time) {
	if !t.ckp.wait.on {
		return
	}
	t.mu.Lock()
	kept := t.ckp.wait.kept
	var of FileID
	if c := &t.ckp.com; c.valid {
		of = c.id
	}
	t.mu.Unlock()
	if kept {
		return
	}
	if err := t.ckp.store.SaveWait(t.cfg.Path, at); err != nil {
		t.log.Warn("tailer: the wait for the path could not be saved; if a file appears and the agent restarts before reading it, the file is taken as there at start (start_at)", "err", err)
		return
	}
	t.mu.Lock()
	t.ckp.wait.kept, t.ckp.wait.junk, t.ckp.wait.of = true, false, of
	t.mu.Unlock()
}

// dropWait removes the wait record once a checkpoint in the file id was
// saved, unless id is the file followed when the wait began (its last
// lines committed late): the checkpoint governs from then on. A failure
// leaves the record, which a restart takes as a wait begun since.
func (t *Tailer) dropWait(id FileID) {
	t.mu.Lock()
	w := &t.ckp.wait
	drop := w.junk || w.kept && !(w.of != FileID{} && sameFile(w.of, id) && w.of.Fingerprint == id.Fingerprint)
	if drop {
		w.kept, w.junk = false, false
	}
	t.mu.Unlock()
	if !drop {
		return
	}
	if err := t.ckp.store.RemoveWait(t.cfg.Path); err != nil {
		t.log.Debug("tailer: the wait record was not removed", "err", err)
	}
}

// WaitRecordProblem returns why a tailer cannot use the wait record file
// name (a checkpoint.WaitKeyPrefix file of a state directory) at now, or
// "" when it can (ReadWaitRecord).
func WaitRecordProblem(name string, now time.Time) string {
	_, why := ReadWaitRecord(name, now)
	return why
}

// ReadWaitRecord returns the wait record file name (a
// checkpoint.WaitKeyPrefix file of a state directory) and "", or nil and
// why a tailer cannot use it at now: it cannot be read or decoded, its
// version or time is wrong (checkpoint.Wait.Problem), or it is not the
// record of the path its name is for.
func ReadWaitRecord(name string, now time.Time) (*checkpoint.Wait, string) {
	w, err := checkpoint.ReadWait(name)
	if err != nil {
		return nil, err.Error()
	}
	if why := w.Problem(w.Path, now, waitSlack); why != "" {
		return nil, why
	}
	if checkpoint.WaitKey(w.Path)+".json" != filepath.Base(name) {
		return nil, "it is the record of another path, " + w.Path + " (whose record is " + checkpoint.WaitKey(w.Path) + ".json): copied or renamed?"
	}
	return w, ""
}

// NewSince returns the time at which the path had no file, for a tailer
// without a checkpoint, as New leaves it (call it before Run):
// Config.NewSince, or, when that was zero, the time New took from the
// path's wait record (less 2 s); zero when the file at
// the path, if any, is one there at start (StartAt applies). A file at
// the path is then new, read after its plain rotated copies last written
// since; the others, and the .gz copies, are not read.
func (t *Tailer) NewSince() time.Time { return t.cfg.NewSince }
