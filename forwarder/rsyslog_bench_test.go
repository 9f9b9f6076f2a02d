package forwarder

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// BenchmarkRsyslog sends through one real rsyslog, which writes every
// message to a file, over each transport it receives: TCP and TLS (a batch
// acked once rsyslog's TCP acknowledged it, on Linux) and RELP and RELP
// over TLS (a message acked once rsyslog answered it). Close waits for the
// last acks, so the time covers delivery, not just the write.
func BenchmarkRsyslog(b *testing.B) {
	rsyslogd := syslogtest.Rsyslogd(b)
	syslogtest.RsyslogRELP(b)
	syslogtest.RsyslogGTLS(b)
	dir := b.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		b.Fatal(err)
	}
	tcp, tlsPort, relp, relpTLS := syslogtest.FreeTCPPort(b), syslogtest.FreeTCPPort(b), syslogtest.FreeTCPPort(b), syslogtest.FreeTCPPort(b)
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k" defaultNetstreamDriverCAFile=%q defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q)
module(load="imtcp")
template(name="m" type="string" string="%%msg%%\n")
ruleset(name="r") {
  action(type="omfile" file=%q template="m")
}
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r")
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
%s%s`, dir, certs.CAFile, certs.ServerCert, certs.ServerKey, filepath.Join(dir, "out.txt"), tcp, tlsPort,
		syslogtest.RsyslogIMRELP(relp, "r", nil),
		syslogtest.RsyslogIMRELP(relpTLS, "r", &syslogtest.TLSFiles{CAFile: certs.CAFile, CertFile: certs.ServerCert, KeyFile: certs.ServerKey})[len("module(load=\"imrelp\")\n"):])
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	syslogtest.StartDaemon(b, exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "pid")), relp, relpTLS)
	tc := TLSConfig{CAFile: certs.CAFile, CertFile: certs.ClientCert, KeyFile: certs.ClientKey}
	for _, bb := range []struct {
		name string
		port int
	}{{"tcp", tcp}, {"tls", tlsPort}, {"relp", relp}, {"relp+tls", relpTLS}} {
		b.Run(bb.name, func(b *testing.B) {
			benchLoopback(b, Config{URL: fmt.Sprintf("%s://127.0.0.1:%d", bb.name, bb.port), TLS: tc, MaxAttempts: 5}, nil)
		})
	}
}
