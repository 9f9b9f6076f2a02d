package syslogtest

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// AgentProc is one run of the agent binary (or any command) started by
// StartAgent: its standard error is kept in Stderr.
type AgentProc struct {
	Name   string // how errors name the process, e.g. "agent" or "aggregator"
	Cmd    *exec.Cmd
	Stderr *Buffer
	done   chan struct{} // closed when the process exited
	err    error         // its exit status, set before done is closed
}

// StartAgent starts bin with args, named name in errors, and returns at
// once; a goroutine waits for the process to exit (see Done).
func StartAgent(t testing.TB, name, bin string, args ...string) *AgentProc {
	t.Helper()
	p := &AgentProc{Name: name, Stderr: new(Buffer), done: make(chan struct{})}
	p.Cmd = exec.Command(bin, args...)
	p.Cmd.Stderr = p.Stderr
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.Cmd.Wait()
		close(p.done)
	}()
	return p
}

// Done is closed when the process has exited.
func (p *AgentProc) Done() <-chan struct{} { return p.done }

// Err is the process's exit status (nil for exit 0); valid once Done is
// closed.
func (p *AgentProc) Err() error { return p.err }

// Log returns what the process wrote to standard error so far.
func (p *AgentProc) Log() string { return p.Stderr.String() }

// Kill SIGKILLs the process unless it exited, and waits for it.
func (p *AgentProc) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.Cmd.Process.Kill()
	<-p.done
}

// Stop sends SIGTERM and reports an error on t unless the process exits 0
// within 15 s (it is then killed).
func (p *AgentProc) Stop(t testing.TB) {
	t.Helper()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGTERM; log:\n%s", p.Name, p.err, Tail(p.Log(), 3000))
		}
	case <-time.After(15 * time.Second):
		p.Cmd.Process.Kill()
		t.Errorf("%s did not exit within 15s of SIGTERM; log:\n%s", p.Name, Tail(p.Log(), 3000))
	}
}

// Wait fails t unless the process (a --once run) exits 0 within limit; it
// is killed after limit.
func (p *AgentProc) Wait(t testing.TB, limit time.Duration) {
	t.Helper()
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s: %v\n%s", p.Name, p.err, Tail(p.Log(), 3000))
		}
	case <-time.After(limit):
		p.Kill()
		t.Fatalf("%s did not exit within %s:\n%s", p.Name, limit, Tail(p.Log(), 3000))
	}
}

// Tail returns the last n bytes of s, marked with "..." when cut.
func Tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
