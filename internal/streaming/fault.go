package streaming

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"time"
)

// spoolFault is why the last event the receiver tried to spool was not
// persisted, and when.
type spoolFault struct {
	at  time.Time
	err error
}

// faultHold is how long SpoolFault reports a failure to spool after it,
// with no request since, where the spool's free space cannot tell whether
// the fault holds (an error other than a full disk, or no statfs).
const faultHold = 60 * time.Second

// noteSpooled records the outcome of persisting an event (err nil: it
// is durable) for SpoolFault. It writes only when the outcome changes
// what SpoolFault says, so that the event path costs a load.
func (r *Receiver) noteSpooled(err error) {
	switch {
	case err != nil:
		r.fault.Store(&spoolFault{at: r.now(), err: err})
	case r.fault.Load() != nil:
		r.fault.Store(nil)
	}
}

// SpoolFault returns an error that says why the receiver cannot take
// events now, or nil: the last event it tried to spool was not persisted
// (answered 503, which GitLab does not retry), and no event was spooled
// since, and either the spool's file system still has less free space
// than max_body (a full disk), or, when that cannot be told, less than
// 60 s passed since the failure. /healthz reports it, so that a load
// balancer or a probe takes the receiver out while it would refuse
// GitLab's events, and back once it can take them. It is safe for
// concurrent use.
func (r *Receiver) SpoolFault() error {
	f := r.fault.Load()
	if f == nil {
		return nil
	}
	dir := filepath.Dir(r.spool.Path())
	free, ok := freeBytes(dir)
	switch {
	case errors.Is(f.err, syscall.ENOSPC) && ok && free >= r.maxBody:
		return nil // room again: the next event is spooled
	case !(errors.Is(f.err, syscall.ENOSPC) && ok) && r.now().Sub(f.at) >= faultHold:
		return nil
	}
	return fmt.Errorf("events are not persisted to the spool %s (%v, %s ago): GitLab's events are answered 503 and not retried; free space on its file system, or fix what the error names",
		dir, f.err, r.now().Sub(f.at).Round(time.Second))
}
