package chaos

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dumpStall records why the agent stopped delivering: its /metrics (the
// tailer's and forwarder's counters) and, via SIGQUIT, the stacks of all
// its goroutines. They go to a file in $CHAOS_DUMP_DIR (default the
// system's temporary directory) that outlives the test, named in the log.
func dumpStall(t *testing.T, name string, p *agentProc, metricsAddr, dir string, missing int) {
	t.Helper()
	dumpDir := os.Getenv("CHAOS_DUMP_DIR")
	if dumpDir == "" {
		dumpDir = os.TempDir()
	}
	path := filepath.Join(dumpDir, fmt.Sprintf("chaos-stall-%s-%d.txt", name, time.Now().UnixNano()))
	f, err := os.Create(path)
	if err != nil {
		t.Logf("stall dump: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %d lines undelivered at the deadline\n\n== /metrics\n", name, missing)
	for range 2 { // twice, a second apart: which counters still move
		if resp, err := http.Get("http://" + metricsAddr + "/metrics"); err == nil {
			io.Copy(f, resp.Body)
			resp.Body.Close()
		} else {
			fmt.Fprintf(f, "metrics: %v\n", err)
		}
		fmt.Fprintf(f, "\n== /metrics again, 1s later\n")
		time.Sleep(time.Second)
	}
	// Which files the agent holds open (by inode), what the directory
	// holds, and the checkpoints.
	fmt.Fprintf(f, "\n== files\n")
	for _, c := range [][]string{
		{"sh", "-c", fmt.Sprintf("ls -l /proc/%d/fd", p.Cmd.Process.Pid)},
		{"sh", "-c", fmt.Sprintf("for fd in /proc/%d/fd/*; do stat -L -c '%%n %%i %%s' $fd; done", p.Cmd.Process.Pid)},
		{"ls", "-li", filepath.Join(dir, "logs")},
		{"sh", "-c", "for c in $(find " + filepath.Join(dir, "state") + " -type f); do echo $c; cat $c; echo; done"},
	} {
		out, err := exec.Command(c[0], c[1:]...).CombinedOutput()
		fmt.Fprintf(f, "$ %s\n%s%v\n", strings.Join(c, " "), out, err)
	}
	p.Cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
	}
	fmt.Fprintf(f, "\n== agent stderr (SIGQUIT goroutine dump at the end)\n%s", p.Log())
	t.Logf("%s stalled with %d lines undelivered: metrics and goroutine dump in %s", name, missing, path)
}

// snapshot appends the agent's goroutines (pprof, aggregated) and
// counters to $CHAOS_DUMP_DIR/chaos-slow-<name>.txt when CHAOS_PROFILE is
// set: a record of what a slow agent is doing, which leaves it running.
func snapshot(name, metricsAddr, what string) {
	dir := os.Getenv("CHAOS_PROFILE")
	if dir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, "chaos-slow-"+name+".txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "\n==== %s %s\n", time.Now().Format(time.RFC3339Nano), what)
	for _, u := range []string{"/debug/pprof/goroutine?debug=1", "/metrics"} {
		resp, err := http.Get("http://" + metricsAddr + u)
		if err != nil {
			fmt.Fprintf(f, "%s: %v\n", u, err)
			continue
		}
		io.Copy(f, resp.Body)
		resp.Body.Close()
	}
}
