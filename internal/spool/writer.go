package spool

import (
	"errors"
	"sync"
	"sync/atomic"
)

// maxGroupBytes bounds the lines written with one fsync.
const maxGroupBytes = 4 << 20

// ErrClosed is returned by Writer.Write after Close.
var ErrClosed = errors.New("spool: writer closed")

// Writer appends batches of lines to a File for many goroutines: the
// batches waiting at the moment are written together with one fsync
// (group commit), and each Write returns once its own lines are durable.
type Writer struct {
	f     *File
	reqs  chan *writeReq
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
	syncs atomic.Uint64
	errs  atomic.Uint64
}

type writeReq struct {
	lines []byte
	done  chan error
}

// NewWriter starts the commit loop of f. Close stops it; the caller then
// closes f.
func NewWriter(f *File) *Writer {
	w := &Writer{f: f, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

// Write appends lines (whole lines, each ending in '\n') and returns when
// they are fsynced (nil) or could not be (the error: nothing of them is
// to be acknowledged). lines is not retained after Write returns.
func (w *Writer) Write(lines []byte) error {
	q := &writeReq{lines: lines, done: make(chan error, 1)}
	select {
	case w.reqs <- q:
	case <-w.quit:
		return ErrClosed
	}
	return <-q.done
}

// Syncs returns the number of group writes (each one fsync).
func (w *Writer) Syncs() uint64 { return w.syncs.Load() }

// Errors returns the number of group writes that failed.
func (w *Writer) Errors() uint64 { return w.errs.Load() }

// Close stops the commit loop after the group it is writing; later
// Writes return ErrClosed.
func (w *Writer) Close() {
	w.once.Do(func() { close(w.quit) })
	<-w.done
}

func (w *Writer) loop() {
	defer close(w.done)
	var (
		group []*writeReq
		buf   []byte
	)
	for {
		var first *writeReq
		select {
		case first = <-w.reqs:
		case <-w.quit:
			return
		}
		group = append(group[:0], first)
		buf = append(buf[:0], first.lines...)
	gather:
		for len(buf) < maxGroupBytes {
			select {
			case q := <-w.reqs:
				group = append(group, q)
				buf = append(buf, q.lines...)
			default:
				break gather
			}
		}
		err := w.f.Append(buf)
		w.syncs.Add(1)
		if err != nil {
			w.errs.Add(1)
		}
		for _, q := range group {
			q.done <- err
		}
		clear(group)
		if cap(buf) > 2*maxGroupBytes {
			buf = nil // a huge group: do not keep its memory
		}
	}
}
