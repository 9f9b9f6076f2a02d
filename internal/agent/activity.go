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

// activity is the activity file's state.
type activity struct {
	// LastEvent is the wall clock (UTC) of the last batch with events
	// the detector processed, or of the last time advanceIdle moved the
	// watermark when that is later, or of its start when neither was.
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
	b, err := json.Marshal(activity{LastEvent: time.Unix(0, d.active.Load()).UTC()})
	if err != nil {
		return err
	}
	return d.store.Save(activityName, activityVersion, b)
}
