package tailer

import (
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// waitSlack is how far before the start of a wait (checkpoint.Wait.Since)
// a rotated copy may have been last written and still be read as made
// since: the kernel stamps files from a coarse clock, and some file
// systems keep seconds or two.
const waitSlack = 2 * time.Second

// waitRecord is the state of the path's checkpoint.Wait record. A tailer
// without a checkpoint, Config.NewSince or Config.Matched (a configured
// path, not a glob's match) that finds no file at its path saves when it
// began to wait, so that a restart reads a file that appeared meanwhile as
// new (Config.NewSince, set from the record by New): from its beginning
// whatever StartAt, after its rotated copies made since. The first
// checkpoint saved removes the record.
type waitRecord struct {
	save bool        // start's wait is to be saved (no record was loaded)
	kept atomic.Bool // a record is in the store, to remove after the first checkpoint
}

// loadWait, for New, sets Config.NewSince from the path's wait record
// when the tailer has no checkpoint and its config no NewSince nor
// Matched: the record's Since less waitSlack. Without a record, the wait
// is to be saved when start begins one. A record that cannot be used is
// logged and replaced at the next wait or checkpoint.
func (t *Tailer) loadWait() {
	if !t.cfg.NewSince.IsZero() || t.cfg.Matched != nil {
		return
	}
	t.ckp.wait.save = true
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
	t.ckp.wait.kept.Store(true)
	if why != "" {
		t.log.Warn("tailer: the wait record saved for the path cannot be used; a file at the path is taken as there at start (start_at), its rotated copies not read; the record is replaced",
			"file", t.ckp.store.File(checkpoint.WaitKey(t.cfg.Path)), "why", why)
		return
	}
	t.ckp.wait.save = false
	t.cfg.NewSince = w.Since.Add(-waitSlack)
	t.log.Info("tailer: the path had no file when the agent last waited for it; a file there is read as new, after its rotated copies made since",
		"waiting_since", w.Since.UTC().Format(time.RFC3339))
}

// savedWait saves, when start began to wait for the path (at) without a
// checkpoint, a wait record (see waitRecord). A failure is logged: a
// restart then takes a file at the path as there at start.
func (t *Tailer) savedWait(at time.Time) {
	if !t.ckp.wait.save || t.ckp.store == nil {
		return
	}
	t.ckp.wait.save = false
	if err := t.ckp.store.SaveWait(t.cfg.Path, at); err != nil {
		t.log.Warn("tailer: the wait for the path could not be saved; if a file appears and the agent restarts before reading it, the file is taken as there at start (start_at)", "err", err)
		return
	}
	t.ckp.wait.kept.Store(true)
}

// dropWait removes the wait record once a checkpoint was saved: it
// governs from then on. A failure leaves the record, which a tailer with
// a checkpoint does not read.
func (t *Tailer) dropWait() {
	if !t.ckp.wait.kept.Swap(false) {
		return
	}
	if err := t.ckp.store.RemoveWait(t.cfg.Path); err != nil {
		t.log.Debug("tailer: the wait record was not removed", "err", err)
	}
}

// WaitRecordProblem returns why a tailer cannot use the wait record file
// name (a checkpoint.WaitKeyPrefix file of a state directory) at now: it
// cannot be read or decoded, is not the record of the path its name
// is for, or its version or time is wrong (checkpoint.Wait.Problem). It
// returns "" when a tailer can use it.
func WaitRecordProblem(name string, now time.Time) string {
	w, err := checkpoint.ReadWait(name)
	if err != nil {
		return err.Error()
	}
	if w.Path == "" {
		return "no path"
	}
	if checkpoint.WaitKey(w.Path)+".json" != filepath.Base(name) {
		return "the record of " + w.Path + ", which another file name holds"
	}
	return w.Problem(w.Path, now, waitSlack)
}
