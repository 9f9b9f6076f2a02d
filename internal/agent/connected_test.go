package agent

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestForwarderConnectedFollowsConnection: forwarder_connected is 0 while
// the collector is down under a running agent (the forwarder in its
// reconnect loop), and 1 again once it reconnected. Trial 25 F1: it stayed
// 1 until batches had waited StallLimit.
func TestForwarderConnectedFollowsConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 10)
	r := &received{msgs: map[string]int{}}
	col, err := syslogtest.Listen("127.0.0.1:0", r.add)
	if err != nil {
		t.Fatal(err)
	}
	addr := col.Addr()
	c := newConfig(t, "tcp://"+addr, config.Source{Type: "access", Path: path})
	c.Forward.MinBackoff, c.Forward.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	a, _, stop := runInBackground(t, c, Options{StallLimit: time.Minute})
	connected := func() bool { return a.forwarderStats().Connected }

	waitFor(t, "10 lines at the collector", 10*time.Second, func() bool { return r.count() == 10 })
	if !connected() {
		t.Fatal("forwarder_connected is 0 while the collector receives")
	}
	col.Kill()
	writeAccessLines(t, path, 10, 10) // the write finds the connection gone
	waitFor(t, "forwarder_connected 0 with the collector down", 10*time.Second, func() bool { return !connected() })
	time.Sleep(300 * time.Millisecond) // several failed reconnects
	if connected() {
		t.Fatal("forwarder_connected is 1 during the reconnect loop")
	}

	col, err = syslogtest.Listen(addr, r.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	waitFor(t, "20 lines at the collector", 10*time.Second, func() bool { return r.count() >= 20 })
	if !connected() {
		t.Error("forwarder_connected is 0 after the forwarder reconnected")
	}
	stop()
}
