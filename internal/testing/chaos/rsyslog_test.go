package chaos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// rsyslogLinesPerSecond is the write rate per log of TestRsyslogChaos:
// 3,000 lines/s over the three logs.
const rsyslogLinesPerSecond = 1000

// rsyslogEvent is one step of TestRsyslogChaos's schedule.
type rsyslogEvent struct {
	at     time.Duration // from the start of the writer
	what   string        // "collector" or "agent"
	signal syscall.Signal
}

// rsyslogSchedule stops rsyslog with SIGTERM, then alternately SIGKILLs
// the agent and rsyslog, each restarted at once (rsyslog after 300 ms).
var rsyslogSchedule = []rsyslogEvent{
	{1500 * time.Millisecond, "collector", syscall.SIGTERM},
	{3 * time.Second, "agent", syscall.SIGKILL},
	{4500 * time.Millisecond, "collector", syscall.SIGKILL},
	{6 * time.Second, "agent", syscall.SIGKILL},
	{7500 * time.Millisecond, "collector", syscall.SIGKILL},
	{9 * time.Second, "agent", syscall.SIGKILL},
}

// rsyslogResult is one transport's figures.
type rsyslogResult struct {
	scheme                                          string
	written, received, lost, dups, corrupt, foreign int
	drained                                         time.Duration
}

// TestRsyslogChaos runs the agent binary following three logs written at
// 3,000 lines/s in all and forwarding to a real rsyslog, which writes every
// message as received to a file through direct queues (so a message is in
// the file before rsyslog answers it over RELP or reads on over TCP).
// During the run rsyslog is stopped with SIGTERM and restarted, then
// SIGKILLed and restarted twice, and the agent is SIGKILLed and restarted
// three times. Over relp:// no line may be lost (duplicates are counted,
// not limited) and none may arrive altered. The same run over tcp:// is
// reported beside it: there the agent advances a checkpoint once rsyslog's
// TCP acknowledged the bytes, so what rsyslog's receive buffer held unread
// when it was SIGKILLed is lost, a figure this test reports and does not
// bound.
func TestRsyslogChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: about 15 s a transport; not run with -short")
	}
	rsyslogd := syslogtest.Rsyslogd(t)
	syslogtest.RsyslogRELP(t)
	var results []rsyslogResult
	for _, scheme := range []string{"relp", "tcp"} {
		t.Run(scheme, func(t *testing.T) {
			r := runRsyslogChaos(t, rsyslogd, scheme)
			results = append(results, r)
			if r.written == 0 || r.received == 0 {
				t.Fatalf("%s: %d lines written, %d received: the run did not happen", scheme, r.written, r.received)
			}
			if scheme == "relp" && (r.lost > 0 || r.corrupt > 0 || r.foreign > 0) {
				t.Errorf("relp: %d lines lost, %d corrupt, %d foreign messages; want none", r.lost, r.corrupt, r.foreign)
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-6s %8s %9s %6s %6s %8s %8s %10s\n", "scheme", "written", "received", "lost", "dups", "corrupt", "foreign", "drained in")
	for _, r := range results {
		fmt.Fprintf(&b, "%-6s %8d %9d %6d %6d %8d %8d %10s\n", r.scheme, r.written, r.received, r.lost, r.dups,
			r.corrupt, r.foreign, r.drained.Round(10*time.Millisecond))
	}
	t.Log(b.String())
}

func runRsyslogChaos(t *testing.T, rsyslogd, scheme string) rsyslogResult {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	col := &syslogtest.RsyslogProc{T: t, Bin: rsyslogd, Dir: dir, Conf: filepath.Join(dir, "rsyslog.conf"), Port: syslogtest.FreeTCPPort(t)}
	if err := os.WriteFile(col.Conf, []byte(syslogtest.RsyslogFileConf(dir, out, scheme, col.Port, "rawmsg")), 0o644); err != nil {
		t.Fatal(err)
	}
	col.Start()
	defer col.Stop(syscall.SIGTERM)

	logs, config := rsyslogAgentConfig(t, dir, fmt.Sprintf("%s://127.0.0.1:%d", scheme, col.Port))
	agent := startAgent(t, config)
	defer func() { agent.Kill() }()

	// The writer runs in its own goroutine, at a steady rate while the
	// events (which wait for processes) run here.
	stopWriter, writerDone := make(chan struct{}), make(chan error, 1)
	start := time.Now()
	go func() { writerDone <- writeLogs(logs, start, stopWriter) }()
	for _, ev := range rsyslogSchedule {
		time.Sleep(time.Until(start.Add(ev.at)))
		if ev.what == "agent" {
			agent.Kill()
			agent = startAgent(t, config)
			continue
		}
		col.Stop(ev.signal)
		time.Sleep(300 * time.Millisecond) // down for a while
		col.Start()
	}
	time.Sleep(time.Until(start.Add(rsyslogSchedule[len(rsyslogSchedule)-1].at + 1500*time.Millisecond)))
	close(stopWriter)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		l.close()
	}

	ta := &tally{}
	rd := &lineFollower{path: out}
	defer rd.close()
	drained := drainRsyslog(t, rd, ta, logs)
	agent.Stop(t) // SIGTERM: exits 0 within a few seconds
	col.Stop(syscall.SIGTERM)
	if err := rd.poll(ta.add); err != nil {
		t.Fatal(err)
	}
	if rd.partial() {
		t.Errorf("%s: rsyslog's output ends in an incomplete line", out)
	}
	return account(scheme, ta, logs, drained)
}

// rsyslogAgentConfig opens the three logs in dir and writes the agent's
// configuration forwarding them to url.
func rsyslogAgentConfig(t *testing.T, dir, url string) ([]*logFile, string) {
	var logs []*logFile
	var src strings.Builder
	for _, k := range kinds {
		l, err := openLog(k, filepath.Join(dir, k+".log"))
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
		fmt.Fprintf(&src, "  - {type: %s, path: %s}\n", k, l.path)
	}
	config := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("state_dir: %s\nhostname: chaos\nforward:\n  url: %s\nsources:\n%s", filepath.Join(dir, "state"), url, src.String())
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return logs, config
}

// writeLogs writes rsyslogLinesPerSecond lines a second to each log, a
// tick's worth at a time, until stop is closed.
func writeLogs(logs []*logFile, start time.Time, stop <-chan struct{}) error {
	perTick := rsyslogLinesPerSecond * int(tick) / int(time.Second)
	next := start
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		for _, l := range logs {
			if err := l.write(perTick); err != nil {
				return err
			}
		}
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
}

// drainRsyslog reads rsyslog's output into ta until every written line
// arrived, or none arrived for 5 s (lines lost over TCP never come), or
// 40 s passed. It returns how long that took.
func drainRsyslog(t *testing.T, rd *lineFollower, ta *tally, logs []*logFile) time.Duration {
	start := time.Now()
	lastGrowth, lastLines := start, 0
	for time.Since(start) < 40*time.Second && time.Since(lastGrowth) < 5*time.Second {
		if err := rd.poll(ta.add); err != nil {
			t.Fatal(err)
		}
		if rd.lines != lastLines {
			lastGrowth, lastLines = time.Now(), rd.lines
		}
		if missing(ta, logs) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

func missing(ta *tally, logs []*logFile) (n int) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for k, l := range logs {
		for seq := range l.seq {
			if ta.received(k, seq) == 0 {
				n++
			}
		}
	}
	return n
}

// account checks the first copy of every line received against the line
// written and counts lines received, lost and duplicated.
func account(scheme string, ta *tally, logs []*logFile, drained time.Duration) rsyslogResult {
	ta.verify(logs)
	ta.mu.Lock()
	defer ta.mu.Unlock()
	r := rsyslogResult{scheme: scheme, corrupt: ta.corrupt, foreign: ta.foreign, drained: drained}
	for k, l := range logs {
		r.written += l.seq
		for seq := range l.seq {
			switch n := ta.received(k, seq); {
			case n == 0:
				r.lost++
			default:
				r.received++
				r.dups += n - 1
			}
		}
	}
	return r
}

// lineFollower reads the complete lines appended to a file that may not
// exist yet.
type lineFollower struct {
	path  string
	f     *os.File
	rest  []byte // an incomplete last line
	lines int
}

// poll hands every complete line appended since the last call to fn.
func (r *lineFollower) poll(fn func([]byte)) error {
	if r.f == nil {
		f, err := os.Open(r.path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		r.f = f
	}
	buf := make([]byte, 256<<10)
	for {
		n, err := r.f.Read(buf)
		r.rest = append(r.rest, buf[:n]...)
		for {
			i := bytes.IndexByte(r.rest, '\n')
			if i < 0 {
				break
			}
			fn(r.rest[:i])
			r.lines++
			r.rest = r.rest[i+1:]
		}
		r.rest = append([]byte(nil), r.rest...)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", r.path, err)
		}
	}
}

func (r *lineFollower) close() {
	if r.f != nil {
		r.f.Close()
	}
}

func (r *lineFollower) partial() bool { return len(r.rest) > 0 }
