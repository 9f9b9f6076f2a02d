package inputs

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

func TestNotSyslog(t *testing.T) {
	for _, tt := range []struct {
		m    string
		want string // "" for a syslog message
	}{
		{`<13>1 2026-01-02T03:04:05Z host sshd 42 - - Accepted publickey`, ""},
		{"<13>Jan  2 03:04:05 host sshd[42]: RFC 3164", ""},
		{"<0>", ""},
		{"<191>x", ""},
		{"<13>1 - h app - - - two\nlines\r", ""},
		{"<13>Jan  2 03:04:05 host app: caf\xe9 \x1b[31mred\x1b[0m", ""}, // Latin-1, control octets: still syslog
		{"", "no <PRI> at the start"},
		{"hello world", "no <PRI> at the start"},
		{"GET / HTTP/1.1\r", "no <PRI> at the start"},
		{"\x16\x03\x01\x02\x00\x01", "no <PRI> at the start"},
		{"<>x", "no <PRI> at the start"},
		{"<1a>x", "no <PRI> at the start"},
		{"<1234>x", "no <PRI> at the start"},
		{"<13", "no <PRI> at the start"},
		{"<192>x", "PRI over 191"},
		{"<13>x\x00y", "NUL octet in the message"},
		// A node's message of a NUL-padded line, or of a column holding a
		// NUL: NULs after an RFC 5424 header that parses are syslog
		// (fresh-user trial 88: the aggregator dropped such a line its
		// RELP input had acknowledged).
		{"<190>1 2026-12-02T01:00:00Z vm GitLab-Audit-Logs - audit - \x00\x00{\"author_id\":1}", ""},
		{`<190>1 2026-12-02T01:00:00Z vm GitLab-Audit-Logs - audit [gitlab@32473 AuthorName="a` + "\x00" + `b"] {}`, ""},
		{"<190>1 2026-12-02T01:00:00Z vm\x00 GitLab-Audit-Logs - audit - x", "NUL octet in the message"},
		{"<190>1 2026-12-02T01:00:00Z vm app - - [x@1 \x00", "NUL octet in the message"},
		// A node's RFC 3164 message of a NUL-padded line (fresh-user
		// trial 91: dropped at the aggregator).
		{"<190>Dec  1 10:01:00 node4 GitLab-Audit-Logs: \x00\x00{\"author_id\":1}", ""},
		{"<190>Dec  1 10:01:00 node4 sshd: \x00\x00x", "NUL octet in the message"},
	} {
		if got := notSyslog([]byte(tt.m)); got != tt.want {
			t.Errorf("notSyslog(%q) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// TestTCPNotSyslog: random bytes sent to a TCP input are not forwarded:
// each frame that is not a syslog message is dropped and counted as
// malformed, a paced warning names the sender and the frame's first bytes,
// and the connection goes on; syslog messages, RFC 5424 and RFC 3164,
// before and after are spooled.
func TestTCPNotSyslog(t *testing.T) {
	logs := new(syslogtest.Buffer)
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil))})
	const (
		valid5424 = "<13>1 2026-01-02T03:04:05Z host sshd 42 - - before the garbage"
		valid3164 = "<13>Jan  2 03:04:05 host sshd[42]: after the garbage"
	)
	garbage := make([]byte, 5000)
	rng := rand.New(rand.NewPCG(41, 3))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	c1, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	fmt.Fprintf(c1, "%s\n\x16\x03\x01 TLS hello\n", valid5424)
	c1.Write(garbage)
	c1.Close()
	waitFor(t, "the first message spooled", func() bool { return s.Stats().Messages >= 1 })

	c2, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	// LF-framed frames that start with no digit: the connection is not
	// ended by a malformed MSG-LEN, the frames are dropped one by one.
	fmt.Fprintf(c2, "hello world\n\xff\xfe\x00\x01 binary\n<13>x\x00y\n%d %s", len(valid3164), valid3164)
	waitFor(t, "the second message spooled", func() bool { return s.Stats().Messages >= 2 })
	// The two connections are read concurrently: c1's warning can be
	// written after c2's message is spooled.
	waitFor(t, "the warning about c1's frames", func() bool { return strings.Contains(logs.String(), "not a syslog message") })
	if got, want := spooled(t, s), []string{valid5424, valid3164}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spooled %q, want %q", got, want)
	}
	st := s.Stats()
	if st.Malformed < 4 { // the TLS hello, three frames of c2, and some of the random bytes
		t.Errorf("malformed = %d, want at least 4", st.Malformed)
	}
	_ = c2.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c2.Read(make([]byte, 1)); err == io.EOF {
		t.Error("the connection was closed after frames that are not syslog")
	}
	log := logs.String()
	if n := strings.Count(log, "not a syslog message"); n != 1 {
		t.Errorf("%d warnings about data that is not syslog, want 1 (paced):\n%s", n, log)
	}
	want := fmt.Sprintf(`remote=%s reason="no <PRI> at the start" first_bytes="\x16\x03\x01 TLS hello"`, c1.LocalAddr())
	if !strings.Contains(log, want) {
		t.Errorf("the warning does not name the sender and the first bytes (%s):\n%s", want, log)
	}
}

// TestRELPNotSyslog: a RELP transaction whose data is not a syslog message
// is answered 200 OK (resending it would not help), not spooled, and
// counted as malformed.
func TestRELPNotSyslog(t *testing.T) {
	s := startServer(t, Config{Listen: "relp://127.0.0.1:0"})
	r := dialRELP(t, s.Addr().String())
	r.open()
	r.send(2, "syslog", "\x00\x01binary")
	r.send(3, "syslog", "<13>1 - - - - - - valid")
	for _, txnr := range []int{2, 3} {
		if f, err := r.read(); err != nil || f.Txnr != txnr || string(f.Data) != "200 OK" {
			t.Fatalf("answer: %d %q, %v; want %d 200 OK", f.Txnr, f.Data, err, txnr)
		}
	}
	r.send(4, "syslog", "not syslog either")
	if f, err := r.read(); err != nil || f.Txnr != 4 || string(f.Data) != "200 OK" {
		t.Fatalf("answer: %d %q, %v; want 4 200 OK", f.Txnr, f.Data, err)
	}
	if got := spooled(t, s); len(got) != 1 || got[0] != "<13>1 - - - - - - valid" {
		t.Errorf("spooled %q", got)
	}
	if st := s.Stats(); st.Malformed != 2 || st.Messages != 1 {
		t.Errorf("malformed %d, messages %d; want 2, 1", st.Malformed, st.Messages)
	}
}

// TestNULFrameWarning: a frame dropped for a NUL octet where no syslog
// message holds one is warned about as binary data, not as a frame
// without <PRI>, which it has (fresh-user trial 91).
func TestNULFrameWarning(t *testing.T) {
	logs := new(syslogtest.Buffer)
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil))})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	frame := "<13>1 2026-01-02T03:04:05Z ho\x00st sshd 42 - - x"
	fmt.Fprintf(c, "%d %s", len(frame), frame)
	c.Close()
	// The frame is counted malformed before the warning is written: wait
	// for the warning itself.
	waitFor(t, "the warning about the dropped frame", func() bool {
		return strings.Contains(logs.String(), "not a syslog message")
	})
	log := logs.String()
	if !strings.Contains(log, `reason="NUL octet in the message"`) || !strings.Contains(log, "binary data: a NUL octet in a syslog message's header") || strings.Contains(log, "starts with <PRI>") {
		t.Errorf("the warning does not say why a frame with <PRI> was dropped:\n%s", log)
	}
}
