package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestStateSaveFailureLoggedOnce: a state directory that cannot be written
// fails every save (here every second); the failure is logged once, not at
// every save, while the metric counts every file not written. A failure
// with another cause is logged again; the first save that works says how
// many failed; a failure that goes on until the shutdown is named there.
// The state directory state_dir/detect is a symbolic link switched
// atomically (rename) between a regular file (no file can be created
// under it, not even by root), a directory where the engine's state file
// is a directory (it cannot be renamed over) and a good directory.
func TestStateSaveFailureLoggedOnce(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, patLine(1, 601))
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: audit})
	c.Detections.StateSaveInterval = time.Second
	targets := t.TempDir()
	good, blocked, notDir := filepath.Join(targets, "good"), filepath.Join(targets, "blocked"), filepath.Join(targets, "file")
	for _, d := range []string{good, filepath.Join(blocked, detect.StateName+".json")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(notDir, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(c.StateDir, "detect")
	point := func(target string) {
		t.Helper()
		tmp := link + ".new"
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, link); err != nil {
			t.Fatal(err)
		}
	}
	point(good)

	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Stdout: new(syncBuffer)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitFor(t, "the first save", 10*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(good, detect.StateName+".json")) // the save's first file
		return err == nil
	})
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	d.mu.Lock()
	//lint:ignore SA2001 waits for the save, which holds d.mu until its last file is written
	d.mu.Unlock()
	errs := func() int { return int(d.stats().StateSaveErrors) }
	lines := func(msg string) []string {
		var out []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "msg=\""+msg+"\"") {
				out = append(out, l)
			}
		}
		return out
	}
	// after waits for the next failed save, so that the state directory
	// is switched between saves, and returns the count of failed files.
	after := func(n int) int {
		t.Helper()
		waitFor(t, "a failed save", 10*time.Second, func() bool { return errs() > n })
		return errs()
	}

	point(notDir)
	files := after(0) // every file fails: the engine's and each stateful rule's
	for range 2 {
		after(errs())
	}
	notDirSaves := errs()
	point(blocked)
	if notDirSaves != 3*files {
		t.Fatalf("%d files not written in 3 failed saves of %d files; the metric must count every one", notDirSaves, files)
	}
	after(notDirSaves) // only the engine's file fails
	after(errs())
	blockedSaves := errs() - notDirSaves
	failed := lines("detection state not saved")
	if len(failed) != 2 {
		t.Fatalf("%d lines logged for %d failed saves with 2 causes, want 2:\n%s", len(failed), 3+blockedSaves, logs.String())
	}
	for i, want := range []string{"files=" + strconv.Itoa(files) + " ", "files=1 "} {
		if !strings.Contains(failed[i], want) || !strings.Contains(failed[i], "failed_saves=") {
			t.Errorf("failure %d does not say %q and the failed saves: %s", i+1, want, failed[i])
		}
	}
	if !strings.Contains(failed[0], "not a directory") || !strings.Contains(failed[1], "is a directory") {
		t.Errorf("the failures do not name their causes:\n%s\n%s", failed[0], failed[1])
	}
	point(good)
	waitFor(t, "the save that works", 10*time.Second, func() bool { return len(lines("detection state saved again")) > 0 })

	again := lines("detection state saved again")
	want := "failed_saves=" + strconv.Itoa(3+blockedSaves)
	if len(again) != 1 || !strings.Contains(again[0], want) {
		t.Errorf("saves working again logged %q, want one line with %s", again, want)
	}

	// Failing again until the shutdown: logged at the first failure and
	// at the shutdown's.
	point(notDir)
	after(errs())
	after(errs())
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(lines("detection state not saved")); n != 3 {
		t.Errorf("%d failure lines after failing again, want 3:\n%s", n, logs.String())
	}
	shutdown := lines("detection state not saved at shutdown")
	if len(shutdown) != 1 || !regexp.MustCompile(`failed_saves=[3-9]`).MatchString(shutdown[0]) {
		t.Errorf("the shutdown's failed save logged %q, want one line with its failed saves", shutdown)
	}
}
