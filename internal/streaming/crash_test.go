package streaming

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const crashDirEnv = "GLS_STREAMING_CRASH_DIR"

// TestCrashChild is the receiver process TestCrashRestart kills. It does
// nothing unless started by that test.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashRestart")
	}
	r, err := New(Config{Listen: "127.0.0.1:0", SpoolDir: filepath.Join(dir, "spool"), Tokens: []string{tokenA},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "addr.tmp"), []byte(r.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(dir, "addr.tmp"), filepath.Join(dir, "addr"))
	r.Run(context.Background()) // until killed
}

// TestCrashRestart kills a receiver process with SIGKILL while events are
// being posted, then checks that every acknowledged event is in the spool and
// is recognised as a duplicate by a new receiver on the same directory.
func TestCrashRestart(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var addr []byte
	for deadline := time.Now().Add(20 * time.Second); ; {
		var err error
		if addr, err = os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child receiver did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	url := "http://" + string(addr) + DefaultPath
	event := func(id int) string {
		return fmt.Sprintf(`{"id":%d,"event_type":"user_created","details":{"custom_message":"crash test %d"}}`, id, id)
	}

	var (
		mu      sync.Mutex
		acked   []int
		wg      sync.WaitGroup
		killed  = make(chan struct{})
		killNow = make(chan struct{})
		once    sync.Once
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-killed:
					return
				default:
				}
				id := w*1_000_000 + i
				req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(event(id)))
				req.Header.Set(TokenHeader, tokenA)
				resp, err := client.Do(req)
				if err != nil {
					continue // the process is gone: not acknowledged
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked = append(acked, id)
					if len(acked) == 200 {
						once.Do(func() { close(killNow) })
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	select {
	case <-killNow:
	case <-time.After(60 * time.Second):
		t.Fatal("200 events were not acknowledged in time")
	}
	cmd.Process.Kill() // SIGKILL while posts are in flight
	cmd.Wait()
	close(killed)
	wg.Wait()

	// Every acknowledged event is in the spool; only a final line may be torn.
	spoolDir := filepath.Join(dir, "spool")
	data, err := os.ReadFile(filepath.Join(spoolDir, SpoolFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	inSpool := map[string]bool{}
	for i, l := range lines {
		if l == "" {
			continue
		}
		var v struct{ ID json.Number }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			if i == len(lines)-1 {
				continue // a write cut short by the kill, never acknowledged
			}
			t.Fatalf("spool line %d is not JSON: %q", i+1, l)
		}
		inSpool[string(v.ID)] = true
	}
	for _, id := range acked {
		if !inSpool[fmt.Sprint(id)] {
			t.Errorf("acknowledged event %d missing from the spool", id)
		}
	}
	t.Logf("%d events acknowledged before the kill, %d in the spool", len(acked), len(inSpool))

	// A new receiver on the same directory knows them all.
	tr := start(t, Config{SpoolDir: spoolDir})
	for _, id := range acked {
		if code := tr.post(t, tokenA, formType, event(id)); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	if s := tr.Stats(); s.Duplicates != uint64(len(acked)) || s.Accepted != 0 {
		t.Errorf("after restart: %d duplicates and %d accepted, want %d and 0", s.Duplicates, s.Accepted, len(acked))
	}
	if code := tr.post(t, tokenA, formType, event(-1)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	last := spoolLines(t, tr.SpoolPath())
	if l := last[len(last)-1]; l != event(-1) {
		t.Errorf("last spool line %q, want the new event on a line of its own", l)
	}
}
