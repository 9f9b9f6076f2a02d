package inputs

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/rfc5424"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestRsyslogOMRELP: a real rsyslogd forwards with omrelp (librelp's
// client), plainly and over TLS with a client certificate, to a RELP
// input: every message arrives in the spool, as RFC 5424, and rsyslog's
// session is answered as librelp expects (it would resend or stall
// otherwise).
func TestRsyslogOMRELP(t *testing.T) {
	rsyslogd := syslogtest.Rsyslogd(t)
	syslogtest.RsyslogRELP(t)
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			dir := t.TempDir()
			certs, err := testcert.WriteTestCerts(dir)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Listen: "relp://127.0.0.1:0"}
			tlsOpts := ""
			if useTLS {
				cfg = Config{Listen: "relp+tls://127.0.0.1:0",
					TLS: TLSFiles{CertFile: certs.ServerCert, KeyFile: certs.ServerKey, ClientCAFile: certs.CAFile}}
				tlsOpts = fmt.Sprintf(` tls="on" tls.caCert=%q tls.myCert=%q tls.myPrivKey=%q tls.authMode="certvalid"`,
					certs.CAFile, certs.ClientCert, certs.ClientKey)
			}
			s := startServer(t, cfg)
			tcpPort := syslogtest.FreeTCPPort(t)
			conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imtcp")
module(load="omrelp")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="%d" template="RSYSLOG_SyslogProtocol23Format"%s)
}
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="fwd")
`, dir, s.Addr().(*net.TCPAddr).Port, tlsOpts, tcpPort)
			confFile := filepath.Join(dir, "rsyslog.conf")
			if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			syslogtest.StartDaemon(t, exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslogd.pid")), tcpPort)
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tcpPort))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			const n = 500
			for i := range n {
				fmt.Fprintf(c, "<134>1 2026-01-02T03:04:05.000001Z node-%d GitLab-Audit-Logs - audit - {\"n\":%d}\n", i%3, i)
			}
			deadline := time.Now().Add(20 * time.Second)
			for s.Stats().Messages < n && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			got := spooled(t, s)
			if len(got) != n {
				t.Fatalf("%d of %d messages spooled (stats %+v)", len(got), n, s.Stats())
			}
			for i, m := range got {
				var h rfc5424.Header
				if err := rfc5424.ParseHeader([]byte(m), &h); err != nil {
					t.Fatalf("message %d %q: %v", i, m, err)
				}
				if string(h.AppName) != "GitLab-Audit-Logs" || !strings.HasPrefix(string(h.Hostname), "node-") ||
					m[h.Msg:] != fmt.Sprintf("{\"n\":%d}", i) {
					t.Fatalf("message %d = %q", i, m)
				}
			}
			if st := s.Stats(); st.Malformed+st.Protocol+st.TLSErrors != 0 {
				t.Errorf("errors with rsyslog's client: %+v", st)
			}
		})
	}
}
