package aggregator

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// agentBin is the gitlab-syslog binary built by TestMain.
var agentBin string

func TestMain(m *testing.M) {
	bin, dir, err := syslogtest.BuildAgent("../../../cmd/gitlab-syslog", false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aggregator:", err)
		os.Exit(1)
	}
	agentBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one run of the agent binary.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stderr *syslogtest.Buffer
	done   chan struct{}
	err    error
}

func start(t *testing.T, name, config string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, stderr: new(syslogtest.Buffer), done: make(chan struct{})}
	p.cmd = exec.Command(agentBin, append([]string{"run", "--config", config, "--log-level", "info"}, args...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill SIGKILLs the process unless it exited.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM and checks the process exits 0 within 15 s.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGTERM; log:\n%s", p.name, p.err, tail(p.stderr.String(), 3000))
		}
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		t.Errorf("%s did not exit within 15s of SIGTERM", p.name)
	}
}

// wait waits for a --once run to exit 0.
func (p *proc) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s: %v\n%s", p.name, p.err, tail(p.stderr.String(), 3000))
		}
	case <-time.After(limit):
		p.kill()
		t.Fatalf("%s did not exit within %s:\n%s", p.name, limit, tail(p.stderr.String(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
