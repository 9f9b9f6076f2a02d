package shellcmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// TestFindLine runs the commands the warning gives in a real
// shell over real files: they print the line that did not parse and its
// line number, from the line's end offset alone (the agent does not know
// the number: it starts at a checkpoint's offset), for names that need
// quoting and for a .gz sibling.
func TestFindLine(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	lines := []string{`{"severity":"INFO","time":"2024-06-03T09:12:44Z"}`, "not json at all", `{"severity":"WARN"}`}
	content := strings.Join(lines, "\n") + "\n"
	gz := gziptest.Compress(t, []byte(content))
	end := int64(len(lines[0]) + 1 + len(lines[1]) + 1) // just after line 2 and its newline
	for _, tc := range []struct {
		name string
		data []byte
		rel  bool // the path is given relative to dir, the commands run in dir
	}{
		{"audit_json.log", []byte(content), false},
		{"it's a log (1).log", []byte(content), false},
		{"audit_json.log.1.gz", gz, false},
		{"-n5.log", []byte(content), true},
		{"--help.log.gz", gz, true},
		{"-", []byte(content), true},
		{"-dash dir/-v.log", []byte(content), true},
		{"$(false) `x` \"q\" \\.log", []byte(content), false},
		{"line\nbreak.log", []byte(content), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.rel {
				path = tc.name
			}
			show, number := LineCommands(path, end)
			for _, c := range []struct{ cmd, want string }{{show, lines[1]}, {number, "2"}} {
				cmd := exec.Command(sh, "-c", c.cmd)
				cmd.Dir = dir
				cmd.Stdin = strings.NewReader("stdin, not the file\n")
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s: %v", c.cmd, err)
				}
				if got := strings.TrimSpace(string(out)); got != c.want {
					t.Errorf("%s printed %q, want %q", c.cmd, got, c.want)
				}
			}
			// The parts of a line whose end never came are found by
			// where they begin (reportUnfinished): line 2 begins after
			// line 1, and one line is before it.
			for i, part := range strings.Split(FindLineAt(path, int64(len(lines[0])+1), "the line"), "; ") {
				c := part[:strings.LastIndex(part, " (")]
				cmd := exec.Command(sh, "-c", c)
				cmd.Dir = dir
				cmd.Stdin = strings.NewReader("stdin, not the file\n")
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s: %v", c, err)
				}
				if got, want := strings.TrimSpace(string(out)), []string{lines[1], "1"}[i]; got != want {
					t.Errorf("%s printed %q, want %q", c, got, want)
				}
			}
		})
	}
}
