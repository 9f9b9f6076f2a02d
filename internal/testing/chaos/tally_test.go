package chaos

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// wire returns an RFC 5424 message as the agent sends it, with msg as MSG.
func wire(app string, msg []byte) []byte {
	return append([]byte("<190>1 2026-11-22T02:00:00.000Z chaos "+app+" - - - "), msg...)
}

// TestTally: the collector's tally counts a line received intact, counts a
// line whose first copy differs from the line written as corrupt and not
// received, a later copy that differs from the first as corrupt, and
// messages that are no written line as foreign.
func TestTally(t *testing.T) {
	ta := &tally{}
	logs := []*logFile{{seq: 3}, {seq: 1}, {seq: 0}}
	ta.add(wire("GitLab-Audit-Logs", line("audit", 0)))
	ta.add(wire("GitLab-Audit-Logs", line("audit", 0))) // a duplicate
	bad := bytes.Replace(line("audit", 1), []byte("Administrator"), []byte("Administrat0r"), 1)
	ta.add(wire("GitLab-Audit-Logs", bad))
	ta.add(wire("GitLab-Audit-Logs", line("audit", 2)))
	ta.add(wire("GitLab-Audit-Logs", bytes.Replace(line("audit", 2), []byte("INFO"), []byte("WARN"), 1)))
	ta.add(wire("GitLab-Application-Logs", line("application", 0)))
	ta.add(wire("GitLab-Access-Logs", []byte("no marker")))
	ta.add([]byte("not syslog"))
	ta.add(wire("GitLab-Detections", line("audit", 1)))
	ta.verify(logs)
	for _, c := range []struct {
		k, seq, want int
	}{{0, 0, 2}, {0, 1, 0}, {0, 2, 1}, {1, 0, 1}} {
		if got := ta.received(c.k, c.seq); got != c.want {
			t.Errorf("received(%s, %d) = %d, want %d", kinds[c.k], c.seq, got, c.want)
		}
	}
	if ta.corrupt != 2 || ta.foreign != 2 || ta.alerts != 1 {
		t.Errorf("corrupt, foreign, alerts = %d, %d, %d; want 2, 2, 1", ta.corrupt, ta.foreign, ta.alerts)
	}
}

// BenchmarkTallyAdd is the collector's cost per message (run it with -race
// too: the chaos test's collector runs in the race-instrumented test binary).
func BenchmarkTallyAdd(b *testing.B) {
	msg := wire("GitLab-Audit-Logs", line("audit", 12345))
	ta := &tally{}
	for b.Loop() {
		ta.add(msg)
	}
}

// TestRsyslogAccount: rsyslog's output file is read line by line as it
// grows (an incomplete last line waits for its end), and the account
// counts a line never received as lost and a second copy as a duplicate.
func TestRsyslogAccount(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	logs := []*logFile{{kind: "audit", seq: 3}, {kind: "application", seq: 1}, {kind: "access"}}
	ta := &tally{}
	rd := &lineFollower{path: out}
	defer rd.close()
	if err := rd.poll(ta.add); err != nil { // the file does not exist yet
		t.Fatal(err)
	}
	a0 := wire("GitLab-Audit-Logs", line("audit", 0))
	a2 := wire("GitLab-Audit-Logs", line("audit", 2))
	content := append(append(append(append(append([]byte{}, a0...), '\n'), a0...), '\n'), a2[:20]...)
	if err := os.WriteFile(out, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := rd.poll(ta.add); err != nil {
		t.Fatal(err)
	}
	if rd.lines != 2 || !rd.partial() {
		t.Fatalf("after a partial line: %d lines, partial %v; want 2, true", rd.lines, rd.partial())
	}
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(a2[20:], '\n'))
	f.Write(append(wire("GitLab-Application-Logs", line("application", 0)), '\n'))
	f.Close()
	if err := rd.poll(ta.add); err != nil {
		t.Fatal(err)
	}
	r := account("relp", ta, logs, 0)
	want := rsyslogResult{scheme: "relp", written: 4, received: 3, lost: 1, dups: 1}
	if r != want || rd.partial() {
		t.Errorf("account = %+v (partial %v), want %+v", r, rd.partial(), want)
	}
}
