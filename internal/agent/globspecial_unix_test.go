//go:build unix

package agent

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestGlobSpecialMatch: a glob match that is a named pipe is not followed
// and is logged once, naming what it is, across scans (fresh-user trial
// 64: it was skipped without a word); a directory is passed over silently;
// a regular file that takes the pipe's place is followed (trial 65: not
// until a restart).
func TestGlobSpecialMatch(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.log"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	g := &globSource{sc: config.Source{Path: filepath.Join(dir, "*.log")}, matched: map[string]*source{},
		log: slog.New(slog.NewTextHandler(&buf, nil))}
	mk := func(sc config.Source, _ tailer.Config) (*source, error) {
		t.Fatalf("a source made for %s", sc.Path)
		return nil, nil
	}
	for range 3 {
		if added, _, err := g.scan(mk, newFollowedSet(), true); err != nil || len(added) != 0 {
			t.Fatalf("scan: %d added, %v", len(added), err)
		}
	}
	pipe := filepath.Join(dir, "pipe.log")
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	writeFile(t, pipe, "x\n")
	var made []string
	mk = func(sc config.Source, _ tailer.Config) (*source, error) {
		made = append(made, sc.Path)
		return &source{}, nil
	}
	if _, _, err := g.scan(mk, newFollowedSet(), false); err != nil || !slices.Equal(made, []string{pipe}) {
		t.Errorf("scan after the pipe became a file: made %q, %v; want %s followed", made, err, pipe)
	}
	if got := buf.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, `msg="glob match not followed" path=`+filepath.Join(dir, "pipe.log")) ||
		!strings.Contains(got, `why="not a regular file: a named pipe (FIFO); only regular files are followed"`) {
		t.Errorf("logged:\n%s\nwant one warning naming the named pipe", got)
	}
}

// TestGlobDanglingLinks: a glob all of whose matches are symbolic links
// to missing files (/var/log/containers where /var/log/pods is not
// mounted) is logged once across scans, naming a link and its target,
// where the agent followed nothing without a word (fresh-user trial
// 115); once a link resolves its file is followed, and the warning comes
// again only if every match dangles again.
func TestGlobDanglingLinks(t *testing.T) {
	dir := t.TempDir()
	pods := filepath.Join(dir, "pods")
	target := filepath.Join(pods, "0.log")
	for _, name := range []string{"a.log", "b.log"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	g := &globSource{sc: config.Source{Path: filepath.Join(dir, "*.log")}, matched: map[string]*source{},
		log: slog.New(slog.NewTextHandler(&buf, nil))}
	var made []string
	mk := func(sc config.Source, _ tailer.Config) (*source, error) {
		made = append(made, sc.Path)
		return &source{}, nil
	}
	for i := range 3 {
		if _, _, err := g.scan(mk, newFollowedSet(), i == 0); err != nil {
			t.Fatal(err)
		}
	}
	const msg = `msg="glob matches only symbolic links whose targets do not exist; nothing is followed"`
	if got := buf.String(); strings.Count(got, msg) != 1 || !strings.Contains(got, "links=2 link="+filepath.Join(dir, "a.log")+" target="+target) {
		t.Errorf("logged:\n%s\nwant one warning naming 2 links, a.log and its target", got)
	}
	if err := os.Mkdir(pods, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, target, "x\n")
	if _, _, err := g.scan(mk, newFollowedSet(), false); err != nil || len(made) == 0 {
		t.Errorf("scan after the target appeared: made %q, %v; want the links followed", made, err)
	}
	if got := buf.String(); strings.Count(got, msg) != 1 {
		t.Errorf("logged again while a match resolves:\n%s", got)
	}
}
