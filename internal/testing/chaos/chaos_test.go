package chaos

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// agentBin is the gitlab-syslog binary built by TestMain.
var agentBin string

func TestMain(m *testing.M) {
	bin, dir, err := syslogtest.BuildAgent("../../../cmd/gitlab-syslog", os.Getenv("CHAOS_RACE") != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	agentBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Rates and durations. 5,000 lines/s per log, 15,000 lines/s in all.
const (
	linesPerSecond = 5000
	tick           = 10 * time.Millisecond
	rotateEvery    = 2 * time.Second
)

// tally counts what the collector received, per log and line number. It
// does little per message, so that the collector, in the test process
// (built with -race, which makes it several times slower), keeps up with
// the agent on a loaded machine: a line's content is checked by a CRC-32
// of its first copy, against the line written, after the drain (verify).
type tally struct {
	mu      sync.Mutex
	got     [3][]uint16
	sum     [3][]uint32 // CRC-32 of the first copy received
	corrupt int
	foreign int
	alerts  int // detection alerts (the application lines are admin password logins)
}

func (ta *tally) add(msg []byte) {
	m, err := syslogtest.Parse(msg)
	k, seq, ok := 0, 0, false
	if err == nil {
		k, seq, ok = parseSeq(m.Msg)
	}
	sum := crc32.ChecksumIEEE(m.Msg)
	ta.mu.Lock()
	defer ta.mu.Unlock()
	switch {
	case err != nil:
		ta.foreign++
		return
	case string(m.AppName) == "GitLab-Detections":
		ta.alerts++ // its MSG quotes the line: not a copy of it
		return
	case !ok:
		ta.foreign++
		return
	}
	for len(ta.got[k]) <= seq {
		ta.got[k] = append(ta.got[k], make([]uint16, 1<<16)...)
		ta.sum[k] = append(ta.sum[k], make([]uint32, 1<<16)...)
	}
	switch {
	case ta.got[k][seq] == 0:
		ta.sum[k][seq] = sum
	case ta.sum[k][seq] != sum:
		ta.corrupt++ // a copy that differs from the first one
		return
	}
	ta.got[k][seq]++
}

// verify checks the first copy received of every line of logs against the
// line written: a line received corrupt counts as corrupt, not received.
func (ta *tally) verify(logs []*logFile) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for k, l := range logs {
		for seq := range min(l.seq, len(ta.got[k])) {
			if n := ta.got[k][seq]; n > 0 && ta.sum[k][seq] != crc32.ChecksumIEEE(line(kinds[k], seq)) {
				ta.corrupt += int(n)
				ta.got[k][seq] = 0
			}
		}
	}
}

func (ta *tally) received(k, seq int) int {
	if seq < len(ta.got[k]) {
		return int(ta.got[k][seq])
	}
	return 0
}

// agentProc is one run of the agent binary.
type agentProc = syslogtest.AgentProc

// startAgent runs the agent on configPath, logging at CHAOS_LOG_LEVEL
// (default info: the tailers' rotations and truncations, which a failure
// shows; debug for more).
func startAgent(t *testing.T, configPath string) *agentProc {
	t.Helper()
	level := os.Getenv("CHAOS_LOG_LEVEL")
	if level == "" {
		level = "info"
	}
	return syslogtest.StartAgent(t, "agent", agentBin, "run", "--config", configPath, "--log-level", level)
}

// scenario is one chaos run.
type scenario struct {
	name     string
	duration time.Duration
	// event runs at every tick with the elapsed time; it rotates files,
	// kills the agent or stops the collector.
	event func(e *env, elapsed time.Duration) error
	// finished, when set, keeps the writer going past duration until the
	// scenario's events are complete.
	finished func(e *env) bool
	// lossAllowedInWindows: lost lines must lie in copytruncate windows.
	lossAllowedInWindows bool
	// maxStall, when set, bounds how long, after the writer stopped, a
	// log that still has lines to deliver may go without one of them
	// arriving: the tailer must not sit on a rotation. It measures progress
	// per log, not the total drain time, which on a loaded machine is the
	// backlog's and says nothing about rotation handling.
	maxStall time.Duration
}

// env is what a scenario's events act on.
type env struct {
	t         *testing.T
	logs      []*logFile
	col       *syslogtest.Collector
	agent     *agentProc
	config    string
	kills     int
	stops     int
	state     map[string]time.Duration
	rotations sync.WaitGroup // copytruncate rotations running beside the writer
}

type result struct {
	name                                             string
	written, received, lost, dups, corrupt, inWindow int
	latency                                          time.Duration // last line's arrival after the writer stopped
	events                                           string
}

func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test takes about a minute; not run with -short")
	}
	scenarios := []scenario{
		{
			name:     "a-rename-rotation",
			duration: 10 * time.Second,
			event: func(e *env, el time.Duration) error {
				if !e.due("rotate", el, rotateEvery) {
					return nil
				}
				for _, l := range e.logs {
					// Late writes: the writer keeps the renamed file for 150 ms.
					if err := l.renameRotate(150 * time.Millisecond); err != nil {
						return err
					}
				}
				return nil
			},
			// The tailer moves to the new file once the renamed one is
			// quiet for a fraction of a second, not after RotateWait.
			maxStall: 3 * time.Second,
		},
		{
			name:     "b-copytruncate-compress",
			duration: 10 * time.Second,
			event: func(e *env, el time.Duration) error {
				if !e.due("rotate", el, rotateEvery) {
					return nil
				}
				// logrotate runs beside the writers, not between their writes.
				for _, l := range e.logs {
					e.rotations.Add(1)
					go func() {
						defer e.rotations.Done()
						if err := l.copyTruncateCompress(); err != nil {
							e.t.Errorf("copytruncate %s: %v", l.path, err)
						}
					}()
				}
				return nil
			},
			lossAllowedInWindows: true,
		},
		{
			name:     "c-sigkill-restart-x3",
			duration: 12 * time.Second,
			event: func(e *env, el time.Duration) error {
				if e.kills < 3 && el >= time.Duration(e.kills+1)*3*time.Second {
					e.agent.Kill()
					e.kills++
					e.agent = startAgent(e.t, e.config)
				}
				return nil
			},
		},
		{
			name:     "d-collector-down-5s-x2",
			duration: 14 * time.Second,
			event: func(e *env, el time.Duration) error {
				// Down for 5s from 1.5s, and again for 5s once the agent
				// has been reconnected for 1s (from 8s at the earliest):
				// a collector that closes a new connection before the
				// agent proved it (its first tens of milliseconds) gets
				// what was sent on it again, as from a port of another
				// protocol (see the forwarder's young connections).
				if _, ok := e.state["reconnected"]; !ok && e.stops == 2 && e.col.Connections() >= 2 {
					e.state["reconnected"] = el
				}
				switch {
				case e.stops == 0 && el >= 1500*time.Millisecond,
					e.stops == 2 && el >= 8*time.Second && e.col.Connections() >= 2 && el >= e.state["reconnected"]+time.Second:
					e.col.Stop(2 * time.Second) // drain: the agent sees EOF and closes
					e.stops++
					e.state["down"] = el
				case (e.stops == 1 || e.stops == 3) && el >= e.state["down"]+5*time.Second:
					if err := e.col.Start(); err != nil {
						return err
					}
					e.stops++
				}
				return nil
			},
			finished: func(e *env) bool { return e.stops == 4 },
		},
	}
	var results []result
	for _, sc := range scenarios {
		ok := t.Run(sc.name, func(t *testing.T) {
			results = append(results, runScenario(t, sc))
		})
		if !ok {
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-26s %9s %9s %6s %6s %8s %9s %s\n", "scenario", "written", "received", "lost", "dups", "corrupt", "last line", "notes")
	for _, r := range results {
		fmt.Fprintf(&b, "%-26s %9d %9d %6d %6d %8d %9s %s\n", r.name, r.written, r.received, r.lost, r.dups, r.corrupt,
			r.latency.Round(10*time.Millisecond), r.events)
	}
	t.Log(b.String())
}

// due reports whether the periodic event key is due at elapsed.
func (e *env) due(key string, elapsed, every time.Duration) bool {
	next, ok := e.state[key]
	if !ok {
		next = every
	}
	if elapsed < next {
		return false
	}
	e.state[key] = next + every
	return true
}

func runScenario(t *testing.T, sc scenario) result {
	dir := t.TempDir()
	ta := &tally{}
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) { ta.add(m) })
	if err != nil {
		t.Fatal(err)
	}
	defer col.Kill()
	e := &env{t: t, col: col, state: map[string]time.Duration{}}
	var srcYAML strings.Builder
	names := map[string]string{"audit": "audit_json.log", "application": "application_json.log", "access": "gitlab_access.log"}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		l, err := openLog(k, filepath.Join(dir, "logs", names[k]))
		if err != nil {
			t.Fatal(err)
		}
		e.logs = append(e.logs, l)
		fmt.Fprintf(&srcYAML, "  - {type: %s, path: %s}\n", k, l.path)
	}
	e.config = filepath.Join(dir, "config.yaml")
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t))
	cfg := fmt.Sprintf("state_dir: %s\nhostname: chaos\nmetrics: {listen: %s}\nforward:\n  url: tcp://%s\nsources:\n%s",
		filepath.Join(dir, "state"), metricsAddr, col.Addr(), srcYAML.String())
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	e.agent = startAgent(t, e.config)
	defer func() {
		if e.agent != nil {
			e.agent.Kill()
		}
	}()
	waitOpened(t, e.agent, filepath.Join(dir, "state"), len(e.logs))

	// Write at linesPerSecond per log for sc.duration, firing events.
	perTick := linesPerSecond * int(tick) / int(time.Second)
	start := time.Now()
	next := start
	for time.Since(start) < sc.duration || (sc.finished != nil && !sc.finished(e) && time.Since(start) < 3*sc.duration) {
		for _, l := range e.logs {
			if err := l.write(perTick); err != nil {
				t.Fatal(err)
			}
		}
		if err := sc.event(e, time.Since(start)); err != nil {
			t.Fatal(err)
		}
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
	writeTime := time.Since(start)
	if sc.finished != nil && !sc.finished(e) {
		t.Errorf("%s: the scenario's events did not complete", sc.name)
	}
	e.rotations.Wait()
	for _, l := range e.logs {
		l.close()
	}
	written := 0
	for _, l := range e.logs {
		written += l.seq
	}
	t.Logf("%s: wrote %d lines in %s (%.0f lines/s)", sc.name, written, writeTime.Round(time.Millisecond), float64(written)/writeTime.Seconds())

	// Wait until every line that can arrive has arrived, then stop the
	// agent with SIGTERM (it must exit 0 within a few seconds).
	missingPer := func() (per [numKinds]int) {
		col := ta
		col.mu.Lock()
		defer col.mu.Unlock()
		for k, l := range e.logs {
			for seq := range l.seq {
				if col.received(k, seq) == 0 && !inWindow(l, seq) {
					per[k]++
				}
			}
		}
		return per
	}
	expectable := func() (missing int) {
		for _, n := range missingPer() {
			missing += n
		}
		return missing
	}
	drainStart := time.Now()
	deadline := drainStart.Add(60 * time.Second)
	lastSnap := drainStart
	// The longest time each log went without a line arriving while it
	// still had lines to deliver.
	var stall, sinceProgress [numKinds]time.Duration
	prev, prevAt := missingPer(), drainStart
	for expectable() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		now, cur := time.Now(), missingPer()
		for k := range cur {
			switch {
			case cur[k] == 0 || cur[k] < prev[k]:
				sinceProgress[k] = 0
			default:
				sinceProgress[k] += now.Sub(prevAt)
				stall[k] = max(stall[k], sinceProgress[k])
			}
		}
		prev, prevAt = cur, now
		if time.Since(lastSnap) > 2*time.Second {
			snapshot(sc.name, metricsAddr, fmt.Sprintf("draining, %d lines missing", expectable()))
			lastSnap = time.Now()
		}
	}
	drained := time.Since(drainStart)
	if n := expectable(); n > 0 {
		dumpStall(t, sc.name, e.agent, metricsAddr, dir, n)
	}
	time.Sleep(500 * time.Millisecond) // let late duplicates arrive
	stopStart := time.Now()
	stopped := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopped:
				return
			case <-time.After(2 * time.Second):
				snapshot(sc.name, metricsAddr, "after SIGTERM")
			}
		}
	}()
	e.agent.Stop(t)
	close(stopped)
	t.Logf("%s: last line arrived %s after the writer stopped; SIGTERM to exit took %s", sc.name,
		drained.Round(time.Millisecond), time.Since(stopStart).Round(time.Millisecond))
	agentLog := e.agent.Log()
	e.agent = nil

	// Account.
	ta.verify(e.logs)
	ta.mu.Lock()
	defer ta.mu.Unlock()
	r := result{name: sc.name, written: written, corrupt: ta.corrupt, latency: drained}
	var lostDetail []string
	var dupRuns dupRanges
	for k, l := range e.logs {
		for seq := range l.seq {
			n := ta.received(k, seq)
			r.received += min(n, 1)
			switch {
			case n == 0 && inWindow(l, seq):
				r.inWindow++
			case n == 0:
				r.lost++
				if len(lostDetail) < 10 {
					p := l.pos[seq]
					lostDetail = append(lostDetail, fmt.Sprintf("%s #%d (gen %d bytes %d-%d)", kinds[k], seq, p.gen, p.start, p.end))
				}
			case n > 1:
				r.dups += n - 1
				dupRuns.add(k, seq, l.pos[seq])
			}
		}
	}
	switch {
	case sc.lossAllowedInWindows:
		var ws []string
		for _, l := range e.logs {
			for _, w := range l.windows {
				ws = append(ws, fmt.Sprintf("%d", w.truncatedAt-w.copied))
			}
		}
		r.events = fmt.Sprintf("%d lost inside copy→truncate windows (window bytes: %s)", r.inWindow, strings.Join(ws, " "))
	case e.kills > 0:
		r.events = fmt.Sprintf("%d SIGKILLs", e.kills)
	case e.stops > 0:
		r.events = fmt.Sprintf("collector stopped %d times, %d connections, %d drain timeouts", e.stops/2, col.Connections(), col.DrainTimeouts())
	default:
		r.events = "rotated every 2s, 150ms late writes"
	}
	t.Logf("%s: longest wait for a due line per log (audit, application, access): %v", sc.name, stall)
	for k, d := range stall {
		if sc.maxStall > 0 && d > sc.maxStall {
			t.Errorf("%s: the %s log went %s without a line arriving while lines were still due (limit %s); the whole drain took %s",
				sc.name, kinds[k], d.Round(time.Millisecond), sc.maxStall, r.latency.Round(time.Millisecond))
		}
	}
	if r.lost > 0 {
		t.Errorf("%s: %d lines lost outside any copytruncate window, e.g. %s\nagent log:\n%s", sc.name, r.lost, strings.Join(lostDetail, ", "), syslogtest.Tail(agentLog, 4000))
	}
	// After a SIGKILL the lines after the last checkpoint are sent again:
	// at most the checkpoint interval (1s) plus the batches in flight.
	if maxDups := e.kills * 3 * linesPerSecond * 3 / 2; r.dups > maxDups {
		t.Errorf("%s: %d duplicates, more than one unacknowledged window (%d): %s\nthe agent's log (tailers, forwarder, warnings):\n%s",
			sc.name, r.dups, maxDups, dupRuns, agentDiagnostics(agentLog))
	}
	if r.corrupt > 0 && !sc.lossAllowedInWindows {
		t.Errorf("%s: %d corrupt messages", sc.name, r.corrupt)
	}
	if ta.foreign > 0 {
		t.Errorf("%s: %d messages that are no written line", sc.name, ta.foreign)
	}
	return r
}

// inWindow reports whether line seq of l overlaps the bytes a copytruncate
// did not copy.
func inWindow(l *logFile, seq int) bool {
	p := l.pos[seq]
	for _, w := range l.windows {
		if w.gen == p.gen && p.end > w.copied && p.start < w.truncatedAt {
			return true
		}
	}
	return false
}

// dupRanges collects the runs of consecutive duplicated lines of each log,
// to say in a failure which generations and bytes were sent again.
type dupRanges struct {
	runs []dupRun
}

// dupRun is a run of consecutive duplicated lines of one log.
type dupRun struct {
	kind, first, last int
	from, to          linePos
}

// add notes that line seq of log kind, written at p, arrived more than once.
func (d *dupRanges) add(kind, seq int, p linePos) {
	if n := len(d.runs); n > 0 && d.runs[n-1].kind == kind && d.runs[n-1].last == seq-1 {
		d.runs[n-1].last, d.runs[n-1].to = seq, p
		return
	}
	d.runs = append(d.runs, dupRun{kind: kind, first: seq, last: seq, from: p, to: p})
}

// String lists up to 10 runs: log, lines, generation and bytes.
func (d dupRanges) String() string {
	var b strings.Builder
	for i, r := range d.runs {
		if i == 10 {
			fmt.Fprintf(&b, "; and %d more runs", len(d.runs)-i)
			break
		}
		fmt.Fprintf(&b, "; %s #%d-#%d (%d lines, gen %d bytes %d to gen %d bytes %d)",
			kinds[r.kind], r.first, r.last, r.last-r.first+1, r.from.gen, r.from.start, r.to.gen, r.to.end)
	}
	return strings.TrimPrefix(b.String(), "; ")
}

// agentDiagnostics returns the lines of the agent's log that its tailers
// (rotations, truncations, copies read) and its forwarder (connections)
// wrote, and its warnings and errors: at most the last 60.
func agentDiagnostics(log string) string {
	var keep []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "tailer") || strings.Contains(l, "forwarder") || strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep[max(0, len(keep)-60):], "\n")
}

// waitOpened waits until the agent has opened its n files: each tailer
// saves its first checkpoint (state_dir/tail-*.json) when it opens its
// file. Lines written before would be in a rotated copy by the first
// rotation if the agent started late (a loaded machine), and an agent
// started without a checkpoint does not read the copies made before it.
func waitOpened(t *testing.T, agent *agentProc, stateDir string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		found, _ := filepath.Glob(filepath.Join(stateDir, "tail-*.json"))
		if len(found) >= n {
			return
		}
		select {
		case <-agent.Done():
			t.Fatalf("the agent exited before it opened its files: %v\n%s", agent.Err(), syslogtest.Tail(agent.Log(), 4000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not open its %d files in 30s (%d checkpoints in %s)\n%s", n, len(found), stateDir, syslogtest.Tail(agent.Log(), 4000))
		}
	}
}
