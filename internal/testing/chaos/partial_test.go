package chaos

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestKillBetweenParts: a CRI line split into parts (P records, then F)
// that are read in separate batches, the agent SIGKILLed after the
// batches with the first parts were committed and before the last part was
// written, and the agent restarted. The whole line must arrive, joined
// (duplicates allowed, never a loss or a part on its own), also when the
// kubelet rotated the file between two parts. The audit line travels in
// the gitlab-logger envelope, so a part alone cannot pass for it.
func TestKillBetweenParts(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` + audit + `}`
	third := len(env) / 3
	for _, tc := range []struct {
		name   string
		rotate bool // the kubelet renames 0.log between the first and the second part
	}{
		{"same file", false},
		{"rotated between the parts", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var mu sync.Mutex
			var msgs []string
			col, err := syslogtest.Listen("127.0.0.1:0", func(b []byte) {
				m, err := syslogtest.Parse(b)
				if err != nil {
					t.Errorf("bad message %q", b)
					return
				}
				mu.Lock()
				msgs = append(msgs, string(m.AppName)+" "+string(m.Msg))
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			ctr := filepath.Join(dir, "pods", "gitlab_web-0_0123", "webservice")
			if err := os.MkdirAll(ctr, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(ctr, "0.log")
			state := filepath.Join(dir, "state")
			conf := filepath.Join(dir, "config.yaml")
			body := fmt.Sprintf("state_dir: %s\ncheckpoint_interval: 50ms\nforward: {url: \"tcp://%s\"}\n"+
				"detections: {enabled: false}\nsources:\n  - {path: %s, format: cri}\n", state, col.Addr(), path)
			if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			count := func() int { mu.Lock(); defer mu.Unlock(); return len(msgs) }

			first := "2024-05-01T12:00:00.1Z stdout F " + env + "\n"
			write(t, path, first, false)
			p := startAgent(t, conf)
			defer p.Kill()
			wait(t, p, "the first line", func() bool { return count() == 1 })
			ck := func() position { return readPosition(t, filepath.Join(state, checkpoint.PositionKey(path)+".json")) }
			wait(t, p, "the first line checkpointed", func() bool { return ck().Offset == int64(len(first)) })

			// Each part's batch is committed (the checkpoint written again)
			// before the next part is written.
			committed := func(what string, write func()) {
				before := ck().Updated
				write()
				wait(t, p, what+" committed", func() bool { return ck().Updated != before })
			}
			committed("the first part", func() { write(t, path, "2024-05-01T12:00:01.1Z stdout P "+env[:third]+"\n", true) })
			if tc.rotate {
				if err := os.Rename(path, path+".20240501-120001"); err != nil {
					t.Fatal(err)
				}
			}
			committed("the second part", func() { write(t, path, "2024-05-01T12:00:01.2Z stdout P "+env[third:2*third]+"\n", true) })
			time.Sleep(200 * time.Millisecond) // a few more checkpoint intervals
			p.Kill()
			if n := count(); n != 1 {
				t.Fatalf("%d messages before the kill, want 1 (the parts are pending): %q", n, msgs)
			}
			write(t, path, "2024-05-01T12:00:01.3Z stdout F "+env[2*third:]+"\n", true)

			p = startAgent(t, conf)
			defer p.Kill()
			wait(t, p, "a second message", func() bool { return count() >= 2 })
			time.Sleep(300 * time.Millisecond) // anything else that would come
			p.Stop(t)
			mu.Lock()
			defer mu.Unlock()
			want := "GitLab-Audit-Logs " + audit
			for i, m := range msgs {
				if m != want {
					t.Errorf("message %d = %q, want the audit line whole", i, m)
				}
			}
		})
	}
}

// position is what TestKillBetweenParts reads of a checkpoint file.
type position struct {
	Offset  int64  `json:"offset"`
	Updated string `json:"updated"`
}

func readPosition(t *testing.T, name string) position {
	t.Helper()
	var p position
	data, err := os.ReadFile(name)
	if err != nil {
		return p // not written yet
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// write writes data to name, appending or creating it.
func write(t *testing.T, name, data string, appendTo bool) {
	t.Helper()
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Clone(data)); err != nil {
		t.Fatal(err)
	}
}

// wait polls cond for up to 15 s.
func wait(t *testing.T, p *agentProc, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; agent log:\n%s", what, p.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
