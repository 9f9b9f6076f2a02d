package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestDetectionsReloadWhileSaving: a reload that rebuilds the engine
// restores every rule's state even when the state is saved on schedule
// while the new engine reads it. The periodic save (detectLoop) takes the
// running detector, and a rebuild used to leave it saving until the new
// engine replaced it: a save that landed between the new engine's read of
// its own file and of the rules' made the rules' files newer than the
// engine's, so they were dropped (the rules started learning again, and
// the next save wrote them empty). Here a goroutine saves as detectLoop
// does, without pause, while the agent reloads four times.
func TestDetectionsReloadWhileSaving(t *testing.T) {
	_, col := listenCollected(t)
	dir := t.TempDir()
	app := filepath.Join(dir, "application_json.log")
	// Failed sign-ins of many users, a few seconds old (inside the
	// lateness: no window closes), so that sentinel.bruteforce and the
	// spray rules hold a state of some size.
	var b strings.Builder
	at := time.Now().Add(-10 * time.Second).UTC()
	lines := 10000
	if raceEnabled { // ten times slower: a smaller state, read and saved as often
		lines = 2000
	}
	for i := range lines {
		fmt.Fprintf(&b, `{"severity":"INFO","time":%q,"correlation_id":"01RELOADSAVE%014d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.%d.%d","message":"Failed Login: username=user%d ip=81.2.%d.%d"}`+"\n",
			at.Add(time.Duration(i)*100*time.Microsecond).Format("2006-01-02T15:04:05.000Z"), i, i/250, i%250, i, i/250, i%250)
	}
	if err := os.WriteFile(app, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app})
	a, ctx, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "every line read", 20*time.Second, func() bool {
		a.mu.Lock()
		d := a.det
		a.mu.Unlock()
		return d != nil && d.e.Stats().Events >= uint64(lines)
	})

	saveCtx, stopSaving := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { // as detectLoop, with no interval
		for saveCtx.Err() == nil {
			a.mu.Lock()
			d := a.det
			a.mu.Unlock()
			d.save(saveCtx, saveWait)
		}
	})
	defer func() { stopSaving(); wg.Wait() }()
	off := false
	for i := range 4 {
		nc := *c
		if i%2 == 0 {
			nc.Detections.Rules = map[string]config.RuleConfig{"falco.pat_created": {Enabled: &off}}
		}
		if err := a.Reload(ctx, &nc); err != nil {
			t.Fatal(err)
		}
		a.mu.Lock()
		d := a.det
		a.mu.Unlock()
		if n := d.e.Stats().StateLoadErrors; n != 0 {
			t.Fatalf("reload %d: %d state files not restored by the rebuilt engine (see the log)", i+1, n)
		}
	}
}
