package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Job is one file for a shipper to forward.
type Job struct {
	File  string      // the log file to read
	Type  parser.Type // what it holds
	Lines int64       // complete lines in File (0 for a live file that is still growing)
	Bytes int64       // bytes of those lines, newlines included
	Addr  string      // host:port of the Sink, set by Run
	Dir   string      // an empty scratch directory for configs, state and logs, set by Run
}

// A Shipper forwards a Job's file to the Job's Addr over TCP.
type Shipper interface {
	// Name is the shipper's row label, e.g. "rsyslog 8.2302".
	Name() string
	// Start starts forwarding; the shipper runs until stopped.
	Start(ctx context.Context, job Job) (*Process, error)
}

// Options bound a Run.
type Options struct {
	WorkDir    string        // parent of the per-run scratch directories
	FirstFrame time.Duration // wait this long for the first frame; default 60s
	Idle       time.Duration // then give up after this long without a frame; default 5s
	Grace      time.Duration // time between SIGTERM and SIGKILL; default 15s
}

func (o Options) withDefaults() Options {
	if o.FirstFrame <= 0 {
		o.FirstFrame = 60 * time.Second
	}
	if o.Idle <= 0 {
		o.Idle = 5 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 15 * time.Second
	}
	if o.WorkDir == "" {
		o.WorkDir = os.TempDir()
	}
	return o
}

// Result is what one shipper did with one Job.
type Result struct {
	Shipper string
	Job     Job
	// Sink is what had arrived when the expected count was reached or the
	// sink went idle; Duration and throughput come from it.
	Sink SinkStats
	// Final is what had arrived once the shipper was stopped.
	Final    SinkStats
	Usage    Usage
	Measured bool // Usage is from a child process
	// Err says why the run is incomplete or failed: the shipper did not
	// start or exited early, or lines were missing when the sink went idle.
	Err error
	// Output is the tail of the shipper's output when it failed.
	Output string
}

// LinesPerSec is frames per second from the first to the latest frame.
func (r Result) LinesPerSec() float64 {
	d := r.Sink.Duration().Seconds()
	if d <= 0 {
		return 0
	}
	return float64(r.Sink.Frames) / d
}

// MBPerSec is input (file) megabytes per second: the share of the file's
// bytes that arrived, divided by the duration, in units of 10^6 bytes.
func (r Result) MBPerSec() float64 {
	if r.Job.Lines == 0 {
		return 0
	}
	d := r.Sink.Duration().Seconds()
	if d <= 0 {
		return 0
	}
	return float64(r.Job.Bytes) * float64(r.Sink.Frames) / float64(r.Job.Lines) / d / 1e6
}

// CPUPerMillion is the shipper's CPU seconds (user+system, whole life) per
// million lines delivered.
func (r Result) CPUPerMillion() float64 {
	if !r.Measured || r.Final.Frames == 0 {
		return 0
	}
	return r.Usage.CPU().Seconds() / float64(r.Final.Frames) * 1e6
}

// Lost is the number of expected lines that never arrived (negative if more
// arrived than were sent).
func (r Result) Lost() int64 { return r.Job.Lines - r.Final.Frames }

// ErrExited reports a shipper that ended before it was stopped.
var ErrExited = errors.New("shipper exited before delivering every line")

// Run forwards job with sh to a fresh Sink and measures it. job.Lines must
// be the number of lines in job.File. The returned Result carries any
// failure in Err; Run's error is only for a harness problem (no sink, no
// scratch directory).
func Run(ctx context.Context, sh Shipper, job Job, opts Options) (Result, error) {
	opts = opts.withDefaults()
	res := Result{Shipper: sh.Name(), Job: job}
	sink, err := ListenSink("127.0.0.1:0")
	if err != nil {
		return res, err
	}
	defer sink.Close()
	job.Addr = sink.Addr()
	job.Dir, err = os.MkdirTemp(opts.WorkDir, "run-*")
	if err != nil {
		return res, fmt.Errorf("bench: scratch directory for %s: %w", sh.Name(), err)
	}
	res.Job = job

	p, err := sh.Start(ctx, job)
	if err != nil {
		res.Err = err
		return res, nil
	}
	res.Sink, res.Err = waitFrames(ctx, sink, job.Lines, opts, p.Exited())
	exitedEarly := false
	select {
	case <-p.Exited():
		exitedEarly = true
	default:
	}
	usage, stopErr := p.Stop(opts.Grace)
	res.Usage, res.Measured = usage, p.PID() != 0
	time.Sleep(50 * time.Millisecond) // let the sink read what the shipper flushed on exit
	res.Final = sink.Stats()
	switch {
	case exitedEarly && res.Final.Frames < job.Lines:
		res.Err = fmt.Errorf("%s: %w (%d of %d arrived): %v", sh.Name(), ErrExited, res.Final.Frames, job.Lines, p.Err())
		res.Output = p.Output()
	case res.Err != nil:
		res.Output = p.Output()
	case stopErr != nil:
		res.Err = stopErr
	}
	return res, nil
}

// waitFrames waits for want frames: up to FirstFrame for the first one, then
// until Idle passes without one. If the shipper exits, what it had written
// may still be in flight, so the sink gets one more second of idleness.
func waitFrames(ctx context.Context, sink *Sink, want int64, opts Options, exited <-chan struct{}) (SinkStats, error) {
	st, err := sink.Wait(ctx, 1, opts.FirstFrame, exited)
	if err == nil {
		st, err = sink.Wait(ctx, want, opts.Idle, exited)
	}
	select {
	case <-exited:
		if st.Frames < want && ctx.Err() == nil {
			return sink.Wait(ctx, want, time.Second, nil)
		}
	default:
	}
	return st, err
}

// scratch returns a path inside the job's scratch directory.
func (j Job) scratch(name string) string { return filepath.Join(j.Dir, name) }
