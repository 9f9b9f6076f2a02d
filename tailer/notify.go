package tailer

import (
	"context"
	"log/slog"
	"time"

	"github.com/fsnotify/fsnotify"
)

// notifier tells the follow loop when the file it reads may have changed:
// it grew, was truncated, renamed or deleted. It never reads lines; the
// loop reads them with its own reader. With inotify (github.com/fsnotify)
// it watches the file the path names; the kernel merges the events of
// writes that come while the loop does not wait, so a busy file costs a
// few wake-ups per read, not one per line. Without inotify (Config.Poll,
// or no watcher could be created) the loop wakes every PollInterval and
// looks itself; it also does so with inotify, which catches what no event
// reports (a new file at the path after a rename, a watch that could not
// be added).
type notifier struct {
	w      *fsnotify.Watcher // its own watcher; nil: shared, or polling only
	log    *slog.Logger
	timer  *time.Timer
	events chan fsnotify.Event // w.Events, nil when polling
	errs   chan error          // w.Errors, nil when polling
	// shared, when not nil, is the Watcher the notifier shares with other
	// tailers; it wakes the notifier through wake, for the file watched.
	shared  *Watcher
	wake    chan struct{}
	watched string // the name shared notifies it of; "" for none
}

// newNotifier returns a notifier using inotify unless poll is set: the
// Watcher shared when it is not nil, else an inotify watcher of its own,
// unless none can be created (then it logs why and polls).
func newNotifier(poll bool, interval time.Duration, shared *Watcher, log *slog.Logger) *notifier {
	n := &notifier{log: log, timer: time.NewTimer(time.Hour)}
	n.timer.Stop()
	if poll {
		return n
	}
	if shared != nil {
		n.shared, n.wake = shared, make(chan struct{}, 1)
		return n
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Warn("tailer: inotify unavailable, polling instead", "err", err, "interval", interval)
		return n
	}
	n.w, n.events, n.errs = w, w.Events, w.Errors
	return n
}

// polling reports whether the notifier has no inotify watcher.
func (n *notifier) polling() bool { return n.w == nil && n.shared == nil }

// wakeUp notifies n, shared's notification; one pending stands for many.
func (n *notifier) wakeUp() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// watch makes the notifier report changes of the file name names now,
// instead of the file watched before. A file renamed away is no longer
// watched (inotify drops the watch of a moved file); the loop polls the
// files it still drains.
func (n *notifier) watch(name string) {
	if n.shared != nil {
		if err := n.shared.watch(n, name); err != nil {
			n.log.Debug("tailer: cannot watch the file; looking at it every poll interval", "err", err)
		}
		return
	}
	if n.w == nil {
		return
	}
	for _, p := range n.w.WatchList() {
		_ = n.w.Remove(p) // gone already when the file was moved or deleted
	}
	if err := n.w.Add(name); err != nil {
		n.log.Debug("tailer: cannot watch the file; looking at it every poll interval", "err", err)
	}
}

// wait returns after a notification, after d, or when ctx is done (with
// its error). A watcher error (queue overflow) counts as a notification.
func (n *notifier) wait(ctx context.Context, d time.Duration) error {
	n.timer.Reset(d)
	defer n.timer.Stop() // Go ≥1.23: no stale tick after Stop
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-n.timer.C:
	case <-n.events:
	case <-n.wake:
	case err := <-n.errs:
		n.log.Debug("tailer: inotify", "err", err)
	}
	return nil
}

// pause waits d (or until ctx is done), then drops the notifications that
// came meanwhile: the read that follows sees every change they report.
func (n *notifier) pause(ctx context.Context, d time.Duration) error {
	n.timer.Reset(d)
	select {
	case <-ctx.Done():
		n.timer.Stop()
		return ctx.Err()
	case <-n.timer.C:
	}
	n.drain()
	return nil
}

// drain drops the notifications pending now.
func (n *notifier) drain() {
	for {
		select {
		case <-n.events:
		case <-n.wake:
		case <-n.errs:
		default:
			return
		}
	}
}

// close releases the watcher, or leaves the shared one.
func (n *notifier) close() {
	n.timer.Stop()
	if n.shared != nil {
		n.shared.unwatch(n)
	}
	if n.w != nil {
		n.w.Close()
	}
}
