package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// inputProgress draws a progress bar on stderr while a command (parse,
// send, detect) reads its input files: the bytes read of the total (for a
// .gz file its compressed bytes), the lines per second and the time left.
// It is only made when stderr is a terminal, so scripts and pipes see
// nothing of it. A nil *inputProgress does nothing.
type inputProgress struct {
	bar   *progressbar.ProgressBar
	lines atomic.Int64
	start time.Time
	last  atomic.Int64 // unix nanos of the last description update
}

type progressKey struct{}

// startInputProgress returns ctx carrying a progress bar over the input
// files names (stdin, "-", adds nothing to the total) when w is a terminal
// and the files hold something, and the function that ends it (it clears
// the bar). readInput finds the bar in its context.
func startInputProgress(ctx context.Context, w io.Writer, names []string) (context.Context, func()) {
	p := newInputProgress(w, isTerminal(w), totalSize(names))
	if p == nil {
		return ctx, func() {}
	}
	return context.WithValue(ctx, progressKey{}, p), p.finish
}

// newInputProgress returns a bar of total bytes drawn on w, or nil when w
// is not a terminal or total is 0.
func newInputProgress(w io.Writer, terminal bool, total int64) *inputProgress {
	if !terminal || total <= 0 {
		return nil
	}
	p := &inputProgress{start: time.Now()}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("reading"),
	)
	return p
}

// progressFrom returns the bar ctx carries, or nil.
func progressFrom(ctx context.Context) *inputProgress {
	p, _ := ctx.Value(progressKey{}).(*inputProgress)
	return p
}

// reader returns r counting its bytes into the bar.
func (p *inputProgress) reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &countingReader{r: r, p: p}
}

// line counts one line read; the lines per second are shown in the bar's
// description, updated at most every 200 ms.
func (p *inputProgress) line() {
	if p == nil {
		return
	}
	n := p.lines.Add(1)
	if n%256 != 0 {
		return
	}
	now := time.Now()
	if now.UnixNano()-p.last.Load() < int64(200*time.Millisecond) {
		return
	}
	p.last.Store(now.UnixNano())
	p.bar.Describe(fmt.Sprintf("%d lines, %.0f lines/s", n, float64(n)/now.Sub(p.start).Seconds()))
}

func (p *inputProgress) finish() {
	if p != nil {
		p.bar.Finish()
	}
}

type countingReader struct {
	r io.Reader
	p *inputProgress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 {
		c.p.bar.Add(n)
	}
	return n, err
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// totalSize returns the summed size of the named regular files; "-"
// (stdin) and files that cannot be stat'ed count 0.
func totalSize(names []string) int64 {
	var total int64
	for _, n := range names {
		if n == "-" {
			continue
		}
		if fi, err := os.Stat(n); err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	return total
}
