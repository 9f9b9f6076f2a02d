package bench

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// RateJob is a steady-rate run: a writer appends generated lines of Type to a
// live file at BytesPerSec for Duration while the shipper follows it.
type RateJob struct {
	Type        parser.Type
	BytesPerSec float64
	Duration    time.Duration
	Seed        uint64
	Warmup      time.Duration // time the shipper gets to start before writing; default 2s
	// PerLine writes each line with its own write(2), as GitLab's Ruby
	// logger and NGINX do, instead of one write per 10 ms tick.
	PerLine bool
	Mix     loadgen.Mix // how audit lines spread over kinds of event
}

// RateResult is what one shipper did in a RateJob.
type RateResult struct {
	Shipper string
	Written loadgen.Stats // what the writer appended
	Sink    SinkStats     // what had arrived at the end
	// CPU is the shipper's CPU time from the first write to the arrival of
	// the last line (or the idle timeout), measured over Wall.
	CPU, Wall time.Duration
	PeakRSS   int64 // VmHWM at the end, bytes
	Err       error
	Output    string
}

// CPUPercent is CPU time as a percentage of one core over Wall.
func (r RateResult) CPUPercent() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return 100 * r.CPU.Seconds() / r.Wall.Seconds()
}

// Lost is the number of written lines that never arrived.
func (r RateResult) Lost() int64 { return int64(r.Written.Lines) - r.Sink.Frames }

// RunRate runs rj with sh. The shipper must be a child process (its CPU time
// is read from /proc). Like Run, failures are in the result's Err.
func RunRate(ctx context.Context, sh Shipper, rj RateJob, opts Options) (RateResult, error) {
	opts = opts.withDefaults()
	if rj.Warmup <= 0 {
		rj.Warmup = 2 * time.Second
	}
	res := RateResult{Shipper: sh.Name()}
	g, err := loadgen.NewGenerator(rj.Type, rj.Seed)
	if err != nil {
		return res, err
	}
	g.SetMix(rj.Mix)
	sink, err := ListenSink("127.0.0.1:0")
	if err != nil {
		return res, err
	}
	defer sink.Close()
	dir, err := os.MkdirTemp(opts.WorkDir, "rate-*")
	if err != nil {
		return res, fmt.Errorf("bench: scratch directory for %s: %w", sh.Name(), err)
	}
	job := Job{File: dir + "/live.log", Type: rj.Type, Addr: sink.Addr(), Dir: dir}
	f, err := os.OpenFile(job.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return res, fmt.Errorf("bench: live file: %w", err)
	}
	defer f.Close()

	p, err := sh.Start(ctx, job)
	if err != nil {
		res.Err = err
		return res, nil
	}
	defer p.Stop(opts.Grace)
	if p.PID() == 0 {
		res.Err = fmt.Errorf("bench: %s runs in process: no CPU figure", sh.Name())
		return res, nil
	}
	select {
	case <-time.After(rj.Warmup):
	case <-p.Exited():
		res.Err = fmt.Errorf("%s: %w: %v", sh.Name(), ErrExited, p.Err())
		res.Output = p.Output()
		return res, nil
	case <-ctx.Done():
		return res, ctx.Err()
	}

	cpu0, err := ProcCPU(p.PID())
	if err != nil {
		res.Err = err
		return res, nil
	}
	t0 := time.Now()
	res.Written, err = writeAtRate(ctx, f, g, rj.BytesPerSec, rj.Duration, rj.PerLine)
	if err != nil {
		return res, err
	}
	res.Sink, res.Err = sink.Wait(ctx, int64(res.Written.Lines), opts.Idle, p.Exited())
	cpu1, cerr := ProcCPU(p.PID())
	res.Wall = time.Since(t0)
	if res.Err == nil && !res.Sink.Last.IsZero() {
		res.Wall = res.Sink.Last.Sub(t0)
	}
	if cerr == nil {
		res.CPU = cpu1 - cpu0
		res.PeakRSS, _ = ProcPeakRSS(p.PID())
	} else if res.Err == nil {
		res.Err = cerr
	}
	if res.Err != nil {
		res.Output = p.Output()
	}
	return res, nil
}

// writeAtRate appends whole lines from g to f so that the bytes written track
// rate (bytes per second) every 10 ms, for d: in one write per tick, or with
// perLine one write per line (each tick's lines back to back).
func writeAtRate(ctx context.Context, f *os.File, g *loadgen.Generator, rate float64, d time.Duration, perLine bool) (loadgen.Stats, error) {
	var st loadgen.Stats
	var buf []byte
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		elapsed := time.Since(start)
		if elapsed > d {
			elapsed = d
		}
		target := int64(rate * elapsed.Seconds())
		buf = buf[:0]
		for st.Bytes+int64(len(buf)) < target {
			n := len(buf)
			buf = g.AppendLine(buf)
			buf = append(buf, '\n')
			st.Lines++
			if perLine {
				if _, err := f.Write(buf[n:]); err != nil {
					return st, fmt.Errorf("bench: append to %s: %w", f.Name(), err)
				}
			}
		}
		if !perLine && len(buf) > 0 {
			if _, err := f.Write(buf); err != nil {
				return st, fmt.Errorf("bench: append to %s: %w", f.Name(), err)
			}
		}
		st.Bytes += int64(len(buf))
		if elapsed >= d {
			return st, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return st, ctx.Err()
		}
	}
}
