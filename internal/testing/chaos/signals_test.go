package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestSignals drives the real binary with signals: SIGHUP with a changed
// configuration moves the agent to another file, SIGHUP with a broken one
// keeps the running configuration, SIGTERM exits 0 promptly.
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	got := map[string]int{}
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		p, err := syslogtest.Parse(m)
		if err != nil {
			t.Errorf("bad message %q", m)
			return
		}
		mu.Lock()
		got[string(p.Msg)]++
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	a, err := openLog("access", filepath.Join(dir, "a_access.log"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := openLog("audit", filepath.Join(dir, "b_audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	defer b.close()
	conf := filepath.Join(dir, "config.yaml")
	writeConf := func(body string) {
		t.Helper()
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	head := fmt.Sprintf("state_dir: %s\nforward: {url: \"tcp://%s\"}\n", filepath.Join(dir, "state"), col.Addr())
	writeConf(head + fmt.Sprintf("sources:\n  - {type: access, path: %s}\n", a.path))
	p := startAgent(t, conf)
	defer p.Kill()
	has := func(kind string, seq int) func() bool {
		want := string(line(kind, seq))
		return func() bool { mu.Lock(); defer mu.Unlock(); return got[want] > 0 }
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; agent log:\n%s", what, p.Log())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := a.write(10); err != nil {
		t.Fatal(err)
	}
	wait("a's lines", has("access", 9))

	// A broken configuration is refused; the agent keeps running.
	writeConf(head + "sorces: []\n")
	p.Cmd.Process.Signal(syscall.SIGHUP)
	wait("the refusal in the log", func() bool { return strings.Contains(p.Log(), `unknown key \"sorces\"`) })
	if err := a.write(1); err != nil {
		t.Fatal(err)
	}
	wait("a's line after the refused reload", has("access", 10))

	// Switch to b.
	writeConf(head + fmt.Sprintf("sources:\n  - {type: audit, path: %s}\n", b.path))
	p.Cmd.Process.Signal(syscall.SIGHUP)
	if err := b.write(5); err != nil {
		t.Fatal(err)
	}
	// New sources start only after the old ones stopped: once b's lines
	// arrive, a is no longer followed.
	wait("b's lines (the reload happened)", has("audit", 4))
	if err := a.write(5); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if has("access", 11)() {
		t.Error("a is still followed after the reload removed it")
	}

	start := time.Now()
	p.Stop(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("SIGTERM took %s", d)
	}
}
