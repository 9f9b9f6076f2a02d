package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Usage is the resource use of a finished child process, from wait4's rusage.
type Usage struct {
	User, System time.Duration
	MaxRSS       int64 // peak resident set size in bytes
}

// CPU is user plus system time.
func (u Usage) CPU() time.Duration { return u.User + u.System }

// Process is a running shipper: a child process, or a goroutine for
// in-process shippers (which have no Usage).
type Process struct {
	name string
	cmd  *exec.Cmd // nil for in-process shippers
	done chan struct{}
	err  error // set before done is closed
	out  *tailWriter

	cancel  context.CancelFunc // in-process shippers
	mu      sync.Mutex
	stopped bool
}

// StartCommand starts argv as a child process named name. Its stdout and
// stderr go to logPath (if not empty) and the last few KiB are kept for
// error messages. env is added to the harness's environment.
func StartCommand(name string, argv, env []string, logPath string) (*Process, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("bench: %s: empty command", name)
	}
	p := &Process{name: name, done: make(chan struct{}), out: &tailWriter{max: 8 << 10}}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var w io.Writer = p.out
	var logFile *os.File
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: output log: %w", name, err)
		}
		logFile = f
		w = io.MultiWriter(f, p.out)
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = 2 * time.Second // do not hang on a grandchild holding the pipe
	if err := cmd.Start(); err != nil {
		if logFile != nil {
			logFile.Close()
		}
		return nil, fmt.Errorf("bench: %s: start %s: %w", name, argv[0], err)
	}
	p.cmd = cmd
	go func() {
		p.err = cmd.Wait() // returns after the output is copied
		if logFile != nil {
			logFile.Close()
		}
		close(p.done)
	}()
	return p, nil
}

// StartFunc runs fn in a goroutine as an in-process shipper.
func StartFunc(ctx context.Context, name string, fn func(context.Context) error) *Process {
	ctx, cancel := context.WithCancel(ctx)
	p := &Process{name: name, done: make(chan struct{}), out: &tailWriter{max: 8 << 10}, cancel: cancel}
	go func() {
		p.err = fn(ctx)
		close(p.done)
	}()
	return p
}

// PID returns the child's process id, or 0 for an in-process shipper.
func (p *Process) PID() int {
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited is closed when the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Output returns the last few KiB of the process's output.
func (p *Process) Output() string { return p.out.String() }

// Err returns how the process ended; valid after Exited is closed.
func (p *Process) Err() error { return p.err }

// Stop asks the process to end (SIGTERM, or cancellation for in-process
// shippers), kills it if it is still running after grace, and returns its
// resource use. A process that had already exited on its own is not an error
// here; ask Err.
func (p *Process) Stop(grace time.Duration) (Usage, error) {
	p.mu.Lock()
	first := !p.stopped
	p.stopped = true
	p.mu.Unlock()
	if first {
		if p.cmd == nil {
			p.cancel()
		} else {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	select {
	case <-p.done:
	case <-time.After(grace):
		if p.cmd == nil {
			return Usage{}, fmt.Errorf("bench: %s: did not stop within %s", p.name, grace)
		}
		p.cmd.Process.Kill()
		<-p.done
		return p.usage(), fmt.Errorf("bench: %s: killed: did not exit within %s of SIGTERM", p.name, grace)
	}
	return p.usage(), nil
}

func (p *Process) usage() Usage {
	if p.cmd == nil || p.cmd.ProcessState == nil {
		return Usage{}
	}
	return rusage(p.cmd.ProcessState)
}

// clockTick is USER_HZ, the unit of the times in /proc/PID/stat; it is 100
// on every Linux architecture Go supports.
const clockTick = 100

// ProcCPU returns the user plus system time a running process has used so
// far, from /proc/PID/stat (10 ms resolution).
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("bench: cpu time of pid %d: %w", pid, err)
	}
	// The command name (field 2) may contain spaces; fields after it are
	// counted from its closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: cpu time of pid %d: unexpected /proc/%d/stat %q", pid, pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: cpu time of pid %d: short /proc/%d/stat", pid, pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("bench: cpu time of pid %d: %w", pid, err)
	}
	return time.Duration(ut+st) * time.Second / clockTick, nil
}

// ProcPeakRSS returns a running process's peak resident set size (VmHWM) in
// bytes.
func ProcPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("bench: peak RSS of pid %d: %w", pid, err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bench: peak RSS of pid %d: %w", pid, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("bench: peak RSS of pid %d: no VmHWM in /proc/%d/status", pid, pid)
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
