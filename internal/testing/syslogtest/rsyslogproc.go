package syslogtest

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// RsyslogProc runs rsyslogd (Bin) in the foreground with the configuration
// file Conf and one input on 127.0.0.1:Port, keeping its pid files in Dir.
// It can be stopped with any signal and started again, as a chaos test
// does to a collector.
type RsyslogProc struct {
	T          testing.TB
	Bin, Dir   string
	Conf       string
	Port, Runs int
	cmd        *exec.Cmd
	exited     chan error
}

// Start starts rsyslogd and waits (up to 15 s, else the test fails) until
// it accepts connections on Port.
func (c *RsyslogProc) Start() {
	c.Runs++
	cmd := exec.Command(c.Bin, "-n", "-f", c.Conf, "-i", filepath.Join(c.Dir, fmt.Sprintf("pid%d", c.Runs)))
	out := new(Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		c.T.Fatal(err)
	}
	c.cmd, c.exited = cmd, make(chan error, 1)
	go func(ch chan error) { ch <- cmd.Wait() }(c.exited)
	deadline := time.Now().Add(15 * time.Second)
	for !PortOpen(c.Port) {
		if time.Now().After(deadline) {
			c.T.Fatalf("rsyslogd not listening on %d:\n%s", c.Port, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop sends sig and waits for the exit (SIGKILL after 10 s); it does
// nothing when rsyslogd is not running.
func (c *RsyslogProc) Stop(sig syscall.Signal) {
	if c.cmd == nil {
		return
	}
	defer func() { c.cmd = nil }()
	_ = c.cmd.Process.Signal(sig)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// PortOpen reports whether a TCP connection to 127.0.0.1:port succeeds.
func PortOpen(port int) bool {
	// A TCP connect that is closed at once; both imtcp and imrelp log
	// nothing worse than a closed session.
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// RsyslogFileConf returns an rsyslog configuration that receives on
// 127.0.0.1:port over scheme (relp, else plain TCP with imtcp) and writes
// each message's property prop (msg: the MSG; rawmsg: the message as
// received) on a line of out, through direct queues, so that a
// message is in the file before rsyslog answers it (RELP) or reads on
// (TCP). dir is rsyslog's work directory.
func RsyslogFileConf(dir, out, scheme string, port int, prop string) string {
	input := fmt.Sprintf(`module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="%d" ruleset="r")`, port)
	if scheme == "relp" {
		input = RsyslogIMRELP(port, "r", nil)
	}
	return fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k")
main_queue(queue.type="Direct")
template(name="m" type="string" string="%%%s%%\n")
ruleset(name="r" queue.type="Direct") {
  action(type="omfile" file=%q template="m" flushOnTXEnd="on" asyncWriting="off")
}
%s
`, dir, prop, out, input)
}
