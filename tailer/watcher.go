package tailer

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// Watcher is one inotify instance (github.com/fsnotify) that the tailers
// given it in Config.Watcher share: each file they follow costs an
// inotify watch (fs.inotify.max_user_watches, 8192 or more by default),
// not an instance of its own (fs.inotify.max_user_instances, 128 by
// default, counted per user across all its processes). A tailer without
// one creates its own instance, so an agent following hundreds of
// container logs would run out of instances and poll. A Watcher is safe
// for concurrent use; Close it once the tailers that use it have stopped.
type Watcher struct {
	fw   *fsnotify.Watcher
	fsMu sync.Mutex // serializes watch and unwatch, and with them fw.Add and fw.Remove
	mu   sync.Mutex // guards subs, which dispatch reads
	subs map[string]map[*notifier]struct{}
	done chan struct{}
}

// NewWatcher returns a Watcher, or an error when no inotify instance can
// be created (no inotify, or the user's fs.inotify.max_user_instances
// reached: "too many open files").
func NewWatcher() (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("tailer: inotify: %w", err)
	}
	w := &Watcher{fw: fw, subs: map[string]map[*notifier]struct{}{}, done: make(chan struct{})}
	go w.dispatch()
	return w, nil
}

// Close releases the inotify instance. The tailers that used it must
// have stopped.
func (w *Watcher) Close() error {
	err := w.fw.Close()
	<-w.done
	return err
}

// dispatch passes each event on to the notifiers of the file it names,
// and an error (the kernel's queue overflowed: events were lost) to every
// notifier, as any file may have changed.
func (w *Watcher) dispatch() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			w.mu.Lock()
			for n := range w.subs[filepath.Clean(ev.Name)] {
				n.wakeUp()
			}
			w.mu.Unlock()
		case _, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.mu.Lock()
			for _, s := range w.subs {
				for n := range s {
					n.wakeUp()
				}
			}
			w.mu.Unlock()
		}
	}
}

// watch makes n notified of changes of the file name names now, instead
// of the file it was notified of before (see notifier.watch).
func (w *Watcher) watch(n *notifier, name string) error {
	name = filepath.Clean(name)
	w.fsMu.Lock()
	defer w.fsMu.Unlock()
	w.unwatchLocked(n)
	w.mu.Lock()
	s := w.subs[name]
	if s == nil {
		s = map[*notifier]struct{}{}
		w.subs[name] = s
	}
	s[n] = struct{}{}
	w.mu.Unlock()
	n.watched = name
	// Watched again: the path may name another file than when it was
	// first watched (a rotation), and inotify watches a file, not a path.
	_ = w.fw.Remove(name)
	return w.fw.Add(name)
}

// unwatch stops notifying n.
func (w *Watcher) unwatch(n *notifier) {
	w.fsMu.Lock()
	defer w.fsMu.Unlock()
	w.unwatchLocked(n)
}

// unwatchLocked is unwatch with w.fsMu held.
func (w *Watcher) unwatchLocked(n *notifier) {
	if n.watched == "" {
		return
	}
	w.mu.Lock()
	s := w.subs[n.watched]
	delete(s, n)
	last := len(s) == 0
	if last {
		delete(w.subs, n.watched)
	}
	w.mu.Unlock()
	if last {
		_ = w.fw.Remove(n.watched) // gone already when the file was moved or deleted
	}
	n.watched = ""
}
