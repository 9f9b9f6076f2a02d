package agent

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// These tests run the agent into real syslog daemons started from
// t.TempDir() on free loopback ports: rsyslogd (/usr/sbin/rsyslogd or
// $RSYSLOGD) and syslog-ng (unpacked by .ci/install-deps.sh into
// /opt/syslog-ng, or $SYSLOG_NG). Without the daemon they skip, except in
// CI (CI=true), where they fail.

// sampleSources are the bundled samples as sources.
func sampleSources() []config.Source {
	return []config.Source{
		{Type: "audit", Path: filepath.Join(testdata, "audit_json.log")},
		{Type: "application", Path: filepath.Join(testdata, "application_json.log")},
		{Type: "application", Path: filepath.Join(testdata, "application.log")},
		{Type: "access", Path: filepath.Join(testdata, "gitlab_access.log")},
		{Type: "auth", Path: filepath.Join(testdata, "auth_json.log")},
	}
}

// expected maps "APP-NAME\tline" to how often it must arrive.
func expected(t *testing.T) map[string]int {
	want := map[string]int{}
	for _, s := range sampleSources() {
		for _, l := range readLines(t, s.Path) {
			want[config.DefaultAppName(s.Type)+"\t"+l]++
		}
	}
	return want
}

// runAgentOnce forwards the bundled samples to url and returns when they
// were all written to the transport.
func runAgentOnce(t *testing.T, url string) {
	t.Helper()
	runToEOF(t, newConfig(t, url, sampleSources()...), nil)
}

// waitLines waits for n lines in file.
func waitLines(t *testing.T, file string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(file)
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(data) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d lines after 20s, want %d:\n%s", file, len(lines), n, data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEndToEndRsyslog sends the bundled samples through the agent to a real
// rsyslogd over TCP with octet counting and checks that every line of the
// four logs arrives once, with its APP-NAME, MSGID, facility local7 and the
// line as MSG, byte for byte.
func TestEndToEndRsyslog(t *testing.T) {
	bin := syslogtest.Rsyslogd(t)
	dir := t.TempDir()
	port := syslogtest.FreeTCPPort(t)
	out := filepath.Join(dir, "out.log")
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k")
module(load="imtcp")
template(name="t" type="list") {
  property(name="app-name") constant(value="\t")
  property(name="msgid") constant(value="\t")
  property(name="syslogfacility-text") constant(value="\t")
  property(name="msg") constant(value="\n")
}
ruleset(name="r") { action(type="omfile" file=%q template="t") }
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r")
`, dir, out, port)
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	syslogtest.StartDaemon(t, exec.Command(bin, "-n", "-f", confFile, "-i", filepath.Join(dir, "pid")), port)

	runAgentOnce(t, fmt.Sprintf("tcp://127.0.0.1:%d", port))
	want := expected(t)
	total := 0
	for _, n := range want {
		total += n
	}
	lines := waitLines(t, out, total)
	msgIDs := map[string]string{config.AppNameAudit: "audit", config.AppNameApplication: "application", config.AppNameAccess: "access", config.AppNameAuth: "auth"}
	for _, l := range lines {
		f := strings.SplitN(l, "\t", 4)
		if len(f) != 4 {
			t.Errorf("bad rsyslog output line %q", l)
			continue
		}
		app, msgid, fac, msg := f[0], f[1], f[2], f[3]
		if app == appNameDetections {
			// An alert the samples cause: MSGID is the rule id.
			if fac != "local7" || !strings.Contains(msgid, ".") || !strings.HasPrefix(msg, `{"rule":"`+msgid+`"`) {
				t.Errorf("alert: facility %q msgid %q msg %.80q", fac, msgid, msg)
			}
			continue
		}
		if fac != "local7" || msgIDs[app] != msgid {
			t.Errorf("%s: facility %q msgid %q", app, fac, msgid)
		}
		key := app + "\t" + msg
		if want[key] == 0 {
			t.Errorf("unexpected or duplicated message: APP-NAME %q MSG %q", app, msg)
			continue
		}
		want[key]--
	}
	for k, n := range want {
		if n > 0 {
			t.Errorf("never arrived: %q", k)
		}
	}
}

// amaCollector stands in for the Azure Monitor Agent on its TCP port: it
// receives what the collector configurations in examples/ forward.
type amaCollector struct {
	mu   sync.Mutex
	msgs []string
}

func (a *amaCollector) add(m []byte) {
	a.mu.Lock()
	a.msgs = append(a.msgs, string(m))
	a.mu.Unlock()
}

// wait waits for n log-line messages (alerts are not counted) and returns
// every message received.
func (a *amaCollector) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a.mu.Lock()
		msgs := append([]string(nil), a.msgs...)
		a.mu.Unlock()
		raw := 0
		for _, m := range msgs {
			if !strings.Contains(m, " "+appNameDetections) {
				raw++
			}
		}
		if raw >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkAMA checks that every sample line reached the AMA port as
// "<PRI>TIMESTAMP HOST TAG MSG" with PRI local7, TAG the APP-NAME and MSG
// the raw line, and that the detection alerts the samples cause reached it
// too, as TAG GitLab-Detections with the alert's JSON as MSG.
func checkAMA(t *testing.T, msgs []string) {
	t.Helper()
	want := expected(t)
	alerts := 0
	for _, m := range msgs {
		if strings.Contains(m, " "+appNameDetections+": {\"rule\":") || strings.Contains(m, " "+appNameDetections+" {\"rule\":") {
			alerts++
			continue
		}
		found := false
		for key, n := range want {
			app, line, _ := strings.Cut(key, "\t")
			if n > 0 && strings.HasSuffix(m, " "+line) && strings.Contains(m, " "+app) {
				pri := m[1:strings.IndexByte(m, '>')]
				var p int
				fmt.Sscan(pri, &p)
				if p/8 != 23 {
					t.Errorf("facility %d, want local7 (23): %q", p/8, m)
				}
				want[key]--
				found = true
				break
			}
		}
		if !found {
			t.Errorf("unexpected message at the AMA port: %q", m)
		}
	}
	for k, n := range want {
		if n > 0 {
			t.Errorf("never reached the AMA port: %q", k)
		}
	}
	if alerts == 0 {
		t.Error("no detection alert reached the AMA port")
	}
}

func exampleConf(t *testing.T, name string, repl ...string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(repl); i += 2 {
		if !strings.Contains(s, repl[i]) {
			t.Fatalf("examples/%s no longer contains %q", name, repl[i])
		}
		s = strings.ReplaceAll(s, repl[i], repl[i+1])
	}
	return s
}

// TestExampleRsyslogCollector runs examples/rsyslog-collector.conf (ports
// moved to free ones) between the agent and a stand-in for AMA.
func TestExampleRsyslogCollector(t *testing.T) {
	bin := syslogtest.Rsyslogd(t)
	testExampleCollector(t, "rsyslog.conf",
		func(dir string, port int, amaPort string) string {
			return fmt.Sprintf("global(workDirectory=%q maxMessageSize=\"4m\")\n", dir) + // as the example says
				exampleConf(t, "rsyslog-collector.conf", `port="514"`, fmt.Sprintf(`port="%d"`, port), `port="28330"`, `port="`+amaPort+`"`)
		},
		func(confFile, dir string) *exec.Cmd {
			return exec.Command(bin, "-n", "-f", confFile, "-i", filepath.Join(dir, "pid"))
		})
}

// TestExampleSyslogNGCollector does the same with
// examples/syslog-ng-collector.conf.
func TestExampleSyslogNGCollector(t *testing.T) {
	testExampleCollector(t, "syslog-ng.conf",
		func(dir string, port int, amaPort string) string {
			return "@version: 3.38\n" + exampleConf(t, "syslog-ng-collector.conf",
				"port(514)", fmt.Sprintf("port(%d)", port),
				"port(28330)", "port("+amaPort+")",
				`dir("/var/lib/syslog-ng")`, fmt.Sprintf("dir(%q)", dir))
		},
		func(confFile, dir string) *exec.Cmd { return syslogtest.SyslogNG(t, confFile, dir) })
}

// testExampleCollector starts a stand-in for AMA and a daemon listening on
// a free port, with the configuration conf returns written to
// dir/confName, runs the agent into the daemon and checks that every sample
// line reached AMA.
func testExampleCollector(t *testing.T, confName string, conf func(dir string, port int, amaPort string) string, daemon func(confFile, dir string) *exec.Cmd) {
	t.Helper()
	dir := t.TempDir()
	port := syslogtest.FreeTCPPort(t)
	ama := &amaCollector{}
	col, err := syslogtest.Listen("127.0.0.1:0", ama.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	_, amaPort, _ := net.SplitHostPort(col.Addr())
	confFile := filepath.Join(dir, confName)
	if err := os.WriteFile(confFile, []byte(conf(dir, port, amaPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	syslogtest.StartDaemon(t, daemon(confFile, dir), port)
	runAgentOnce(t, fmt.Sprintf("tcp://127.0.0.1:%d", port))
	want := 0
	for _, n := range expected(t) {
		want += n
	}
	checkAMA(t, ama.wait(t, want))
}
