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
// two packages conflict). Outside CI a missing daemon skips the test loudly;
// with CI=true it fails, so CI can never pass by skipping.

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

// SyslogNG returns a command that runs syslog-ng 3.38 in the foreground
// with config file conf, keeping its persist, pid and control files in dir.
// The unpacked package root is $SYSLOG_NG (the root, or the binary inside
// it) or /opt/syslog-ng.
func SyslogNG(t testing.TB, conf, dir string) *exec.Cmd {
	t.Helper()
	root := strings.TrimSuffix(os.Getenv("SYSLOG_NG"), "/usr/sbin/syslog-ng")
	if root == "" {
		root = "/opt/syslog-ng"
	}
	bin := filepath.Join(root, "usr/sbin/syslog-ng")
	if _, err := os.Stat(bin); err != nil {
		DaemonMissing(t, "syslog-ng under "+root+" (set $SYSLOG_NG to the unpacked syslog-ng-core root)")
	}
	cmd := exec.Command(bin, "-F", "--no-caps", "-f", conf,
		"--module-path="+filepath.Join(root, "usr/lib/syslog-ng/3.38"),
		"-R", filepath.Join(dir, "persist"), "-p", filepath.Join(dir, "pid"), "-c", filepath.Join(dir, "ctl"))
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(root, "usr/lib/syslog-ng")+":"+filepath.Join(root, "usr/lib/x86_64-linux-gnu"))
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
// 127.0.0.1:tcpPort, and stops it (SIGTERM, then SIGKILL after 10s) when
// the test ends. The daemon's output is shown when it fails to start or
// the test fails.
func StartDaemon(t testing.TB, cmd *exec.Cmd, tcpPort int) {
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
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", tcpPort), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", cmd.Path, err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not listening on %d: %v\n%s", cmd.Path, tcpPort, err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
