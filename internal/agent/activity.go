package agent

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// activityName is the Store name of the wall clock of the last event the
// detector processed (detector.active), saved with the positions, so that
// a restarted agent, or the detector a reload builds, counts the quiet
// after which advanceIdle decides what is newer than the watermark from
// that event, not from its own start: an agent restarted more often than
// lateness on quiet files would otherwise hold such alerts (a join's, a
// session's) until the files give newer lines.
const activityName = "_activity"

// activityVersion is the schema of the activity file.
const activityVersion = 1

// quietSave is how long after its last event the detector writes the
// event's time (saveQuiet), besides every state save: a crash soon after
// it, before the next state save, then still counts the quiet from it.
const quietSave = time.Second

// activity is the activity file's state.
type activity struct {
	// LastEvent is the wall clock (UTC) of the last batch with lines
	// the detector processed, or of its start when it processed none.
	LastEvent time.Time `json:"last_event"`
}

// loadActivity sets d.active to the last event time the last save
// recorded when that is before now; it leaves it at now when there is
// none, or it cannot be read (logged).
func (d *detector) loadActivity(now time.Time) {
	if d.store == nil {
		return
	}
	b, err := d.store.Load(activityName, activityVersion)
	if errors.Is(err, detect.ErrNoState) {
		return
	}
	var a activity
	if err == nil {
		err = json.Unmarshal(b, &a)
	}
	if err != nil {
		d.log.Warn("detection: the time of the last event before the restart not restored; the quiet that decides what is newer than the watermark is counted from now", "err", err)
		return
	}
	if !a.LastEvent.IsZero() && a.LastEvent.Before(now) {
		d.active.Store(a.LastEvent.UnixNano())
	}
}

// saveActivity writes d.active to the store; d.mu is held.
func (d *detector) saveActivity() error {
	if d.store == nil {
		return nil
	}
	a := d.active.Load()
	d.activitySaved = a
	b, err := json.Marshal(activity{LastEvent: time.Unix(0, a).UTC()})
	if err != nil {
		return err
	}
	return d.store.Save(activityName, activityVersion, b)
}

// saveQuiet writes the time of the last event (saveActivity) once the
// detector has been quiet for quietSave after it, when that time was not
// written, or tried, yet. A failure is logged as a failed save (paced).
func (d *detector) saveQuiet(now time.Time) {
	a := d.active.Load()
	if now.UnixNano()-a < int64(quietSave) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if a == d.activitySaved || d.retired || d.store == nil {
		return
	}
	if err := d.saveActivity(); err != nil {
		d.saves.failure(d.log, d.stateDir(), err)
	}
}
