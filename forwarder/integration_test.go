package forwarder

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// These tests send through the real Forwarder to real rsyslog and
// syslog-ng daemons started from t.TempDir() on free loopback ports, and
// check what the daemons parsed and wrote out. .ci/install-deps.sh installs
// both. Outside CI a missing daemon skips the test loudly; with CI=true it
// fails.

// daemonRecord is what the daemons' JSON templates write for one message.
type daemonRecord struct {
	Facility string          `json:"facility"`
	Severity string          `json:"severity"`
	App      string          `json:"app"`
	Host     string          `json:"host"`
	TS       string          `json:"ts"`
	MsgID    string          `json:"msgid"`
	Msg      string          `json:"msg"`
	RawSD    json.RawMessage `json:"sd"`
	// SD is RawSD flattened: SD-ID → PARAM-NAME → value. syslog-ng's
	// format-json nests names with dots ("meta.caller_id"); they are
	// joined again.
	SD map[string]map[string]string `json:"-"`
}

// flattenSD decodes the daemon's SD object.
func (r *daemonRecord) flattenSD() error {
	if len(r.RawSD) == 0 || r.RawSD[0] != '{' {
		return nil
	}
	var ids map[string]map[string]any
	if err := json.Unmarshal(r.RawSD, &ids); err != nil {
		return err
	}
	r.SD = map[string]map[string]string{}
	for id, params := range ids {
		flat := map[string]string{}
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					walk(prefix+"."+k, x)
				}
			case string:
				flat[prefix[1:]] = v
			default:
				flat[prefix[1:]] = fmt.Sprint(v)
			}
		}
		walk("", params)
		r.SD[id] = flat
	}
	return nil
}

// waitRecords polls file until it holds n lines, then decodes them.
func waitRecords(t *testing.T, file string, n int) []daemonRecord {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(file)
		if bytes.Count(data, []byte("\n")) >= n {
			var recs []daemonRecord
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 4<<20)
			for sc.Scan() {
				var r daemonRecord
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("%s: %v in %q", file, err, trunc(sc.Bytes()))
				}
				if err := r.flattenSD(); err != nil {
					t.Fatalf("%s: SD: %v in %q", file, err, trunc(sc.Bytes()))
				}
				recs = append(recs, r)
			}
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d lines after 20s, want %d", file, bytes.Count(data, []byte("\n")), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// integrationMessages are records with hostile SD values, real testdata
// lines and, when big is set, one 100 KB record.
func integrationMessages(t *testing.T, big bool) []Message {
	t.Helper()
	o := DefaultRecordOptions("gitlab01.example.com")
	o.Now = time.Date(2026, 8, 22, 10, 0, 0, 654321000, time.UTC)
	var ms []Message
	hostileValues := []string{
		`quote " inside`, `bracket ] inside`, `back\slash`, "new\nline", `all "]\ three`,
		"non-ASCII: Jürgen Müller, 日本語, emoji 😀", `ends with backslash\`,
	}
	for i, v := range hostileValues {
		var m Message
		line := fmt.Appendf(nil, `{"severity":"WARN","time":"2026-08-22T10:00:0%d.123456Z","author_name":%q,"seq":%d}`, i, v, i)
		m.FromLine(parser.TypeAudit, line, &o)
		m.Severity = Warning
		m.Time = time.Date(2026, 8, 22, 10, 0, i, 123456000, time.UTC)
		m.Params = []parser.Field{{Name: "AuthorName", Value: []byte(v)}, {Name: "meta.caller_id", Value: fmt.Appendf(nil, "seq-%d", i)},
			{Name: "meta.artifacts_dependencies_count", Value: fmt.Appendf(nil, "%d", i)}}
		ms = append(ms, m)
	}
	files, _ := filepath.Glob("../testdata/*.log")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		typ := typeOfFile(f)
		for line := range bytes.Lines(data) {
			line = bytes.TrimRight(line, "\r\n")
			if len(bytes.TrimSpace(line)) == 0 || !utf8Printable(line) {
				continue
			}
			var m Message
			var rec parser.Record
			if p := parser.New(typ); p != nil && p.Parse(line, &rec) == nil {
				m.FromRecord(&rec, line, &o)
				// The record's values alias rec; keep copies.
				m.Params = append([]parser.Field(nil), m.Params...)
				for i := range m.Params {
					m.Params[i].Value = bytes.Clone(m.Params[i].Value)
				}
			} else {
				m.FromLine(typ, line, &o)
			}
			m.Msg = bytes.Clone(line)
			ms = append(ms, m)
		}
	}
	if big {
		var m Message
		// MSG is 100 KB; the SD value stays under the receivers' own
		// limits (syslog-ng cuts values at 64 KiB; rsyslog 8.2302 drops
		// STRUCTURED-DATA of about 100 KB).
		v := strings.Repeat(`big "value" ]\ é `, 30<<10/18)
		m.FromLine(parser.TypeApplication, []byte(`{"message":"`+strings.Repeat("x", 100<<10)+`"}`), &o)
		m.Params = []parser.Field{{Name: "Message", Value: []byte(v)}}
		ms = append(ms, m)
	}
	return ms
}

// utf8Printable reports whether a line can be compared as text after a
// daemon: valid UTF-8 without control characters (daemons escape those in
// MSG, e.g. as #011).
func utf8Printable(b []byte) bool {
	for _, r := range string(b) {
		if r == 0xFFFD || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// checkDaemonRecords compares what a daemon wrote with what was sent.
// lf reports newline framing, which turns LF in SD values into spaces.
func checkDaemonRecords(t *testing.T, got []daemonRecord, sent []Message, lf bool) {
	t.Helper()
	if len(got) != len(sent) {
		t.Fatalf("daemon wrote %d records, sent %d", len(got), len(sent))
	}
	for i, g := range got {
		m := &sent[i]
		if g.MsgID == "-" {
			g.MsgID = "" // rsyslog writes the NILVALUE
		}
		if g.Facility != "local7" || g.App != m.AppName || g.Host != m.Hostname || g.MsgID != m.MsgID {
			t.Errorf("record %d header: %+v, want app %q host %q msgid %q", i, g, m.AppName, m.Hostname, m.MsgID)
		}
		if g.Severity != m.Severity.String() && !(m.Severity == Warning && g.Severity == "warn") {
			t.Errorf("record %d severity %q, want %q", i, g.Severity, m.Severity)
		}
		ts, err := time.Parse(time.RFC3339Nano, g.TS)
		if err != nil || !ts.Equal(m.Time.Truncate(time.Microsecond)) {
			t.Errorf("record %d timestamp %q, want %s", i, g.TS, m.Time.Truncate(time.Microsecond).Format(time.RFC3339Nano))
		}
		if g.Msg != string(m.Msg) {
			t.Errorf("record %d MSG\n got %q\nwant %q", i, trunc([]byte(g.Msg)), trunc(m.Msg))
		}
		var e Encoder
		want := wantSDOf(&e, m)
		nParams := 0
		for _, params := range g.SD {
			nParams += len(params)
		}
		if len(g.SD) != len(want) || nParams != len(m.Params) {
			t.Errorf("record %d SD = %v (raw %q), want %d params in %d elements", i, g.SD, trunc(g.RawSD), len(m.Params), len(want))
			continue
		}
		for _, p := range m.Params {
			want := string(p.Value)
			if lf {
				want = strings.ReplaceAll(want, "\n", " ")
			}
			id, name := wireKey(&e, p.Name)
			if got := g.SD[id][name]; got != want {
				t.Errorf("record %d SD %s %s (column %s) = %d bytes %q, want %d bytes %q", i, id, name, p.Name, len(got), trunc([]byte(got)), len(want), trunc([]byte(want)))
			}
		}
	}
}

// check3164Records compares what rsyslog parsed from RFC 3164 messages:
// no year, zone, fraction, MSGID or STRUCTURED-DATA travel in that format.
func check3164Records(t *testing.T, got []daemonRecord, sent []Message) {
	t.Helper()
	if len(got) != len(sent) {
		t.Fatalf("daemon wrote %d records, sent %d", len(got), len(sent))
	}
	for i, g := range got {
		m := &sent[i]
		if g.Facility != "local7" || g.App != m.AppName || g.Host != m.Hostname || g.SD != nil {
			t.Errorf("record %d header: %+v, want app %q host %q", i, g, m.AppName, m.Hostname)
		}
		if want := m.Time.UTC().Format("01-02T15:04:05"); len(g.TS) < 19 || g.TS[5:19] != want {
			t.Errorf("record %d timestamp %q, want ....-%s", i, g.TS, want)
		}
		if strings.TrimPrefix(g.Msg, " ") != string(m.Msg) {
			t.Errorf("record %d MSG\n got %q\nwant %q", i, trunc([]byte(g.Msg)), trunc(m.Msg))
		}
	}
}

// forwardTLS sends ms through a Forwarder to url in batches of 16, with
// the TLS settings tc for tls:// URLs.
func forwardTLS(t *testing.T, url string, ms []Message, e *Encoder, tc TLSConfig) {
	t.Helper()
	f, err := New(Config{URL: url, TLS: tc, Encoder: e, MaxAttempts: 20, MinBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	sendAndClose(t, f, e, ms, 16)
	if st := f.Stats(); st.Messages != uint64(len(ms)) || st.Dropped != 0 || st.Truncated != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRsyslogIntegration(t *testing.T) {
	rsyslogd := syslogtest.Rsyslogd(t)
	for _, tt := range []struct {
		name, scheme, query string
		format              Format
	}{
		{"tcp octet counting", "tcp", "", RFC5424},
		{"tcp lf framing", "tcp", "?framing=lf", RFC5424},
		{"udp", "udp", "", RFC5424},
		{"tcp rfc3164", "tcp", "", RFC3164},
		{"tls mutual RFC 5425", "tls", "", RFC5424},
		{"tls 1.2 mutual", "tls", "", RFC5424}, // rsyslog checks the client after a TLS 1.2 handshake too
		{"relp", "relp", "", RFC5424},
		{"relp mutual TLS", "relp+tls", "", RFC5424},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tcpPort, udpPort := syslogtest.FreeTCPPort(t), syslogtest.FreeUDPPort(t)
			out := filepath.Join(dir, "out.json")
			certs, err := testcert.WriteTestCerts(dir)
			if err != nil {
				t.Fatal(err)
			}
			var tlsGlobal, tlsTCP, relp string
			relpPort := syslogtest.FreeTCPPort(t)
			switch tt.scheme {
			case "relp":
				syslogtest.RsyslogRELP(t)
				relp = syslogtest.RsyslogIMRELP(relpPort, "r", nil)
			case "relp+tls":
				syslogtest.RsyslogRELP(t)
				relp = syslogtest.RsyslogIMRELP(relpPort, "r",
					&syslogtest.TLSFiles{CAFile: certs.CAFile, CertFile: certs.ServerCert, KeyFile: certs.ServerKey})
			}
			if tt.scheme == "tls" {
				syslogtest.RsyslogGTLS(t)
				// The client must present a certificate signed by the CA.
				tlsGlobal = fmt.Sprintf(` defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile=%q defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q`,
					certs.CAFile, certs.ServerCert, certs.ServerKey)
				tlsTCP = ` streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="x509/certvalid"`
				if strings.Contains(tt.name, "1.2") {
					tlsTCP += ` gnutlsPriorityString="NORMAL:-VERS-TLS1.3"`
				}
			}
			conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="512k" parser.escapeControlCharactersOnReceive="off"%s)
module(load="imtcp" maxFrameSize="1000000"%s)
module(load="imudp")
module(load="mmpstrucdata")
template(name="ts" type="string" string="%%timereported:::date-rfc3339%%")
template(name="j" type="string" string="%%$!all-json-plain%%\n")
ruleset(name="r") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  set $!facility = $syslogfacility-text;
  set $!severity = $syslogseverity-text;
  set $!app = $app-name;
  set $!host = $hostname;
  set $!ts = exec_template("ts");
  set $!msgid = $msgid;
  set $!msg = $msg;
  set $!sd = $!rfc5424-sd;
  unset $!rfc5424-sd;
  action(type="omfile" file=%q template="j")
}
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r")
input(type="imudp" address="127.0.0.1" port="%d" ruleset="r")
%s`, dir, tlsGlobal, tlsTCP, out, tcpPort, udpPort, relp)
			confFile := filepath.Join(dir, "rsyslog.conf")
			if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslogd.pid"))
			var more []int // imrelp opens its port after imtcp's
			if relp != "" {
				more = append(more, relpPort)
			}
			syslogtest.StartDaemon(t, cmd, tcpPort, more...)
			ms := integrationMessages(t, tt.scheme != "udp")
			port := tcpPort
			switch tt.scheme {
			case "udp":
				port = udpPort
			case "relp", "relp+tls":
				port = relpPort
			}
			tc := TLSConfig{CAFile: certs.CAFile, CertFile: certs.ClientCert, KeyFile: certs.ClientKey}
			forwardTLS(t, fmt.Sprintf("%s://127.0.0.1:%d%s", tt.scheme, port, tt.query), ms, &Encoder{Format: tt.format}, tc)
			if tt.format == RFC3164 {
				check3164Records(t, waitRecords(t, out, len(ms)), ms)
				return
			}
			checkDaemonRecords(t, waitRecords(t, out, len(ms)), ms, tt.query != "")
			if tt.scheme == "tls" {
				checkClientCertRequired(t, fmt.Sprintf("127.0.0.1:%d", port), certs.CAFile, out, len(ms))
			}
			if tt.scheme == "tls" || tt.scheme == "relp+tls" {
				checkForwarderClientCertRequired(t, fmt.Sprintf("%s://127.0.0.1:%d", tt.scheme, port), certs.CAFile, out, len(ms))
			}
			if want, _, _ := strings.Cut(tt.scheme, "+"); want != "tcp" && want != "udp" {
				checkPlainToSecuredPort(t, fmt.Sprintf("127.0.0.1:%d", port), want, out, len(ms))
			}
			switch tt.name {
			case "tcp octet counting": // last: the daemon writes what it took for messages
				checkWrongScheme(t, fmt.Sprintf("tls://127.0.0.1:%d", port), certs.CAFile, "tcp://")
				checkWrongScheme(t, fmt.Sprintf("relp://127.0.0.1:%d", port), "", "tcp://")
			case "tls mutual RFC 5425":
				checkWrongScheme(t, fmt.Sprintf("relp://127.0.0.1:%d", port), "", "tls://")
			case "relp":
				checkWrongScheme(t, fmt.Sprintf("tls://127.0.0.1:%d", port), certs.CAFile, "relp://")
			}
		})
	}
}

// checkClientCertRequired connects to a TLS syslog server that requires a
// client certificate without one, sends a message and checks that the
// server ends the connection and writes nothing more than the n records
// already in out.
func checkClientCertRequired(t *testing.T, addr, caFile, out string, n int) {
	t.Helper()
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		return // refused in the handshake (TLS 1.2)
	}
	defer conn.Close()
	msg := "<190>1 2026-11-22T00:00:00Z h app - - - no client certificate"
	fmt.Fprintf(conn, "%d %s", len(msg), msg)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	if err == nil {
		t.Fatal("the server answered a client without a certificate")
	}
	if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		t.Fatal("the server kept a connection without a client certificate open for 5s")
	}
	time.Sleep(200 * time.Millisecond)
	data, _ := os.ReadFile(out)
	if got := bytes.Count(data, []byte("\n")); got != n {
		t.Errorf("%d records after a client without a certificate, want %d", got, n)
	}
}

// checkForwarderClientCertRequired sends to a TLS or RELP over TLS
// receiver that requires a client certificate without one: the connection
// (session) must not open, no message may be acknowledged, and out must
// still hold n records. Over tls:// (TLS 1.3, where the server refuses
// after the client's handshake ended) the error must say that a client
// certificate is wanted: before, the forwarder connected, its batches
// were TCP-acknowledged and counted delivered, and rsyslog wrote none.
func checkForwarderClientCertRequired(t *testing.T, url, caFile, out string, n int) {
	t.Helper()
	e := &Encoder{}
	f, err := New(Config{URL: url, TLS: TLSConfig{CAFile: caFile}, Encoder: e, MaxAttempts: 2, MinBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Connect(context.Background()); err == nil {
		t.Fatal("connected without a client certificate")
	} else {
		t.Logf("without a client certificate: %v", err)
		if strings.HasPrefix(url, "tls:") && (!errors.Is(err, ErrHandshake) || !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "client certificate") || !strings.Contains(err.Error(), "cert_file and key_file")) {
			t.Errorf("error %q: want ErrHandshake and ErrRefused naming the client certificate and the settings to give (fresh-user trial 116)", err)
		}
	}
	m := Message{Facility: Local7, Severity: Informational, Hostname: "h", AppName: "app", Msg: []byte("no client certificate")}
	var b Batch
	b.Append(e, &m)
	acked := make(chan error, 1)
	if err := f.Send(context.Background(), &b, func(err error) { acked <- err }); err == nil {
		if err := <-acked; err == nil {
			t.Fatal("a message was acknowledged without a client certificate")
		}
	}
	_ = f.Close(context.Background())
	time.Sleep(200 * time.Millisecond)
	data, _ := os.ReadFile(out)
	if got := bytes.Count(data, []byte("\n")); got != n {
		t.Errorf("%d records after a client without a certificate, want %d", got, n)
	}
}

func TestSyslogNGIntegration(t *testing.T) {
	for _, tt := range []struct {
		name, scheme string
	}{
		{"tcp octet counting", "tcp"},
		{"udp", "udp"},
		{"tls mutual RFC 5425", "tls"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tcpPort, udpPort := syslogtest.FreeTCPPort(t), syslogtest.FreeUDPPort(t)
			out := filepath.Join(dir, "out.json")
			certs, err := testcert.WriteTestCerts(dir)
			if err != nil {
				t.Fatal(err)
			}
			transport := `transport("tcp")`
			if tt.scheme == "tls" {
				transport = fmt.Sprintf(`transport("tls") tls(key-file(%q) cert-file(%q) ca-file(%q) peer-verify(required-trusted))`,
					certs.ServerKey, certs.ServerCert, certs.CAFile)
			}
			conf := fmt.Sprintf(`@version: 3.38
options { keep-hostname(yes); frac-digits(6); log-msg-size(1048576); };
source s_tcp { syslog(ip(127.0.0.1) port(%d) %s log-msg-size(1048576)); };
source s_udp { syslog(ip(127.0.0.1) port(%d) transport("udp")); };
destination d { file(%q template("$(format-json facility=$FACILITY severity=$LEVEL app=$PROGRAM host=$HOST ts=$ISODATE msgid=$MSGID msg=$MSG --key .SDATA.* --rekey .SDATA.* --replace-prefix .SDATA.=sd.)\n")); };
log { source(s_tcp); source(s_udp); destination(d); };
`, tcpPort, transport, udpPort, out)
			confFile := filepath.Join(dir, "syslog-ng.conf")
			if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			syslogtest.StartDaemon(t, syslogtest.SyslogNG(t, confFile, dir), tcpPort)
			ms := integrationMessages(t, tt.scheme != "udp")
			port := tcpPort
			if tt.scheme == "udp" {
				port = udpPort
			}
			tc := TLSConfig{CAFile: certs.CAFile, CertFile: certs.ClientCert, KeyFile: certs.ClientKey}
			forwardTLS(t, fmt.Sprintf("%s://127.0.0.1:%d", tt.scheme, port), ms, &Encoder{}, tc)
			checkDaemonRecords(t, waitRecords(t, out, len(ms)), ms, false)
			if tt.scheme == "tls" {
				checkPlainToSecuredPort(t, fmt.Sprintf("127.0.0.1:%d", port), "tls", out, len(ms))
			}
		})
	}
}

// checkPlainToSecuredPort sends over plain tcp:// to a port of the daemon
// that speaks another protocol (TLS, RELP): the daemon reads the batch
// (its TCP acknowledges it), fails to parse it and closes the
// connection. No message may be acknowledged, the error must match
// ErrProtocol and name the scheme to use (want), and out must still hold
// n records. Before, the batch was TCP-acknowledged, counted delivered
// and lost.
func checkPlainToSecuredPort(t *testing.T, addr, want, out string, n int) {
	t.Helper()
	f := connected(t, Config{URL: "tcp://" + addr, Encoder: &Encoder{}, MaxAttempts: 3, MinBackoff: time.Millisecond})
	err := sendOneAck(t, f, "plain to a secured port", 20*time.Second)
	if err == nil {
		t.Fatal("a batch sent over plain TCP to a " + want + " port was acknowledged")
	}
	t.Logf("plain TCP to a %s port: %v", want, err)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), want+"://") {
		t.Errorf("error %q: want ErrProtocol naming %s://", err, want)
	}
	_ = f.Close(context.Background())
	time.Sleep(200 * time.Millisecond)
	data, _ := os.ReadFile(out)
	if got := bytes.Count(data, []byte("\n")); got != n {
		t.Errorf("%d records after plain TCP to a %s port, want %d", got, want, n)
	}
}

// checkWrongScheme connects with url to a daemon's port that speaks
// another protocol than url's scheme: the connection must fail with an
// ErrProtocol whose text names the scheme to try (want), not a bare
// timeout or reset ("is the collector running?").
func checkWrongScheme(t *testing.T, url, caFile, want string) {
	t.Helper()
	f, err := New(Config{URL: url, TLS: TLSConfig{CAFile: caFile}, Encoder: &Encoder{}, MaxAttempts: 1, DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = f.Connect(context.Background())
	_ = f.Close(context.Background())
	if err == nil {
		t.Fatalf("%s connected", url)
	}
	t.Logf("%s: %v", url, err)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q: want ErrProtocol naming %s", url, err, want)
	}
}

// sendOneAck sends a batch of one message of text through f (connected)
// and returns its acknowledgement's error; the test fails when none came
// within timeout.
func sendOneAck(t *testing.T, f *Forwarder, text string, timeout time.Duration) error {
	t.Helper()
	e := f.cfg.Encoder
	if e == nil {
		e = &Encoder{}
	}
	m := Message{Facility: Local7, Severity: Informational, Hostname: "h", AppName: "app", Msg: []byte(text)}
	var b Batch
	b.Append(e, &m)
	return sendAck(t, f, &b, timeout)
}

// sendAck sends b with f and returns its acknowledgement's error; the
// test fails when none came within timeout.
func sendAck(t *testing.T, f *Forwarder, b *Batch, timeout time.Duration) error {
	t.Helper()
	acked := make(chan error, 1)
	if err := f.Send(context.Background(), b, func(err error) { acked <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-acked:
		return err
	case <-time.After(timeout):
		t.Fatalf("no acknowledgement of the batch after %v", timeout)
	}
	return nil
}

// connected returns a Forwarder of cfg that connected (Connect).
func connected(t *testing.T, cfg Config) *Forwarder {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f
}
