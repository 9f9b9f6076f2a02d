package syslogtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Real rsyslog and syslog-ng daemons for integration tests. .ci/install-deps.sh
// installs rsyslog with apt and unpacks syslog-ng-core into /opt/syslog-ng (the
// two packages conflict); a syslog-ng on $PATH is used as well. Outside CI a
// missing daemon skips the test loudly; with CI=true it fails, so CI can
// never pass by skipping.

// DaemonMissing skips the test, or fails it when CI=true.
func DaemonMissing(t testing.TB, what string) {
	t.Helper()
	msg := fmt.Sprintf("INTEGRATION TEST NOT RUN: %s not found. Run .ci/install-deps.sh (as root) to install rsyslog and syslog-ng.", what)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Rsyslogd returns the rsyslogd binary: $RSYSLOGD, /usr/sbin/rsyslogd or
// rsyslogd on $PATH.
func Rsyslogd(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("RSYSLOGD"), "/usr/sbin/rsyslogd"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("rsyslogd"); err == nil {
		return p
	}
	DaemonMissing(t, "rsyslogd (set $RSYSLOGD or install rsyslog)")
	return ""
}

// RsyslogGTLS fails or skips the test (see DaemonMissing) unless rsyslog's
// GnuTLS network stream driver (lmnsd_gtls.so, package rsyslog-gnutls) is
// installed.
func RsyslogGTLS(t testing.TB) {
	t.Helper()
	if m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so"); len(m) > 0 {
		return
	}
	if m, _ := filepath.Glob("/usr/lib/rsyslog/lmnsd_gtls.so"); len(m) > 0 {
		return
	}
	DaemonMissing(t, "rsyslog's TLS driver lmnsd_gtls.so (install rsyslog-gnutls)")
}

// RsyslogRELP fails or skips the test (see DaemonMissing) unless rsyslog's
// RELP input module (imrelp.so, package rsyslog-relp) is installed.
func RsyslogRELP(t testing.TB) {
	t.Helper()
	for _, g := range []string{"/usr/lib/*/rsyslog/imrelp.so", "/usr/lib/rsyslog/imrelp.so"} {
		if m, _ := filepath.Glob(g); len(m) > 0 {
			return
		}
	}
	DaemonMissing(t, "rsyslog's RELP input imrelp.so (install rsyslog-relp)")
}

// RsyslogIMRELP returns the rsyslog configuration lines that receive RELP
// on 127.0.0.1:port into ruleset. With certs, the listener speaks TLS with
// the server certificate and requires a client certificate signed by the
// CA (tls.authMode="certvalid").
func RsyslogIMRELP(port int, ruleset string, certs *TLSFiles) string {
	tls := ""
	if certs != nil {
		tls = fmt.Sprintf(` tls="on" tls.caCert=%q tls.myCert=%q tls.myPrivKey=%q tls.authMode="certvalid"`,
			certs.CAFile, certs.CertFile, certs.KeyFile)
	}
	return fmt.Sprintf("module(load=\"imrelp\")\ninput(type=\"imrelp\" address=\"127.0.0.1\" port=\"%d\" ruleset=%q%s)\n", port, ruleset, tls)
}

// TLSFiles names the PEM files of a TLS endpoint.
type TLSFiles struct {
	CAFile, CertFile, KeyFile string
}

// DefaultSyslogNGRoot is where .ci/install-deps.sh unpacks syslog-ng-core.
const DefaultSyslogNGRoot = "/opt/syslog-ng"

// SyslogNGInstall is a syslog-ng binary found by FindSyslogNG.
type SyslogNGInstall struct {
	Bin string // the syslog-ng binary
	// Root is the unpacked package root (dpkg -x) whose modules and
	// libraries must be passed to the binary, or "" for a system install
	// that finds its own.
	Root string
}

// FindSyslogNG looks for syslog-ng in envRoot (the value of $SYSLOG_NG: an
// unpacked syslog-ng-core root, or the binary inside it), then under
// optRoot (normally DefaultSyslogNGRoot), then as syslog-ng on $PATH. When
// it finds none, the error says every place it looked.
func FindSyslogNG(envRoot, optRoot string) (SyslogNGInstall, error) {
	var looked []string
	for _, root := range []string{strings.TrimSuffix(envRoot, "/usr/sbin/syslog-ng"), optRoot} {
		if root == "" {
			continue
		}
		bin := filepath.Join(root, "usr/sbin/syslog-ng")
		if fi, err := os.Stat(bin); err == nil && !fi.IsDir() {
			return SyslogNGInstall{Bin: bin, Root: root}, nil
		}
		looked = append(looked, bin)
	}
	if envRoot == "" {
		looked = append([]string{"$SYSLOG_NG (not set)"}, looked...)
	}
	bin, err := exec.LookPath("syslog-ng")
	if err == nil {
		return SyslogNGInstall{Bin: bin}, nil
	}
	looked = append(looked, "syslog-ng on $PATH ("+os.Getenv("PATH")+")")
	return SyslogNGInstall{}, &NotFoundError{Name: "syslog-ng", Looked: looked}
}

// NotFoundError reports a program that is not installed, and where it was
// looked for.
type NotFoundError struct {
	Name   string
	Looked []string // the places tried, in order
}

// Error says what was not found and lists where it was looked for.
func (e *NotFoundError) Error() string {
	return e.Name + " not found; looked in " + strings.Join(e.Looked, ", ")
}

// SyslogNG returns a command that runs syslog-ng in the foreground with
// config file conf, keeping its persist, pid and control files in dir. The
// binary is found by FindSyslogNG($SYSLOG_NG, /opt/syslog-ng); without one
// the test is skipped (or fails under CI, see DaemonMissing).
func SyslogNG(t testing.TB, conf, dir string) *exec.Cmd {
	t.Helper()
	in, err := FindSyslogNG(os.Getenv("SYSLOG_NG"), DefaultSyslogNGRoot)
	if err != nil {
		looked := err.(*NotFoundError).Looked
		DaemonMissing(t, "syslog-ng (looked in "+strings.Join(looked, ", ")+"; install it, or set $SYSLOG_NG to an unpacked syslog-ng-core root)")
		return nil
	}
	args := []string{"-F", "--no-caps", "-f", conf,
		"-R", filepath.Join(dir, "persist"), "-p", filepath.Join(dir, "pid"), "-c", filepath.Join(dir, "ctl")}
	if in.Root == "" {
		return exec.Command(in.Bin, args...)
	}
	mods, _ := filepath.Glob(filepath.Join(in.Root, "usr/lib/syslog-ng/[0-9]*"))
	if len(mods) > 0 {
		args = append(args, "--module-path="+mods[len(mods)-1])
	}
	cmd := exec.Command(in.Bin, args...)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(in.Root, "usr/lib/syslog-ng")+":"+filepath.Join(in.Root, "usr/lib/x86_64-linux-gnu"))
	return cmd
}

// FreeTCPPort returns a loopback TCP port that was free a moment ago.
func FreeTCPPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a loopback UDP port that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// StartDaemon starts cmd, waits until it accepts TCP connections on
// 127.0.0.1:tcpPort and on each of the more ports (a daemon opens its
// inputs one after another: rsyslog's imrelp after imtcp), and stops it
// (SIGTERM, then SIGKILL after 10s) when the test ends. The daemon's
// output is shown when it fails to start or the test fails.
func StartDaemon(t testing.TB, cmd *exec.Cmd, tcpPort int, more ...int) {
	t.Helper()
	out := new(Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	ports := append([]int{tcpPort}, more...)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0]), time.Second)
		if err == nil {
			c.Close()
			if ports = ports[1:]; len(ports) == 0 {
				return
			}
			continue
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", cmd.Path, err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not listening on %d: %v\n%s", cmd.Path, ports[0], err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
