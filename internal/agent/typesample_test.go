package agent

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestTypeSample: a source whose first lines none parse as its type and
// most look like lines of another type is warned about once, naming that
// type; a sample with a line that parsed, or whose lines look like no
// one other type, is not, and nor is the next batch (fresh-user trial #7).
func TestTypeSample(t *testing.T) {
	lines := func(name string, n int) [][]byte {
		data, err := os.ReadFile("../../testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))[:n]
	}
	audit, access := lines("audit_json.log", 25), lines("gitlab_access.log", 3)
	for _, tc := range []struct {
		name   string
		lines  [][]byte
		parsed int // the first lines that parse
		want   string
	}{
		{"audit lines read as application", audit, 0, `looks_like=audit first_lines=20 of_that_type=20`},
		{"one line parsed", audit, 1, ""},
		{"lines of no one type", append(append([][]byte{}, access[:1]...), []byte("a custom line"), []byte("another")), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			ts := newTypeSample(parser.TypeApplication, "", slog.New(slog.NewTextHandler(&buf, nil)))
			for range 2 { // a second batch is not judged
				var ls lineSample
				for i, l := range tc.lines {
					ls.add(l, i < tc.parsed)
				}
				ts.judge("app.log", &ls)
			}
			got := buf.String()
			if tc.want == "" && got != "" || tc.want != "" && (strings.Count(got, "\n") != 1 || !strings.Contains(got, tc.want) ||
				!strings.Contains(got, "APP-NAME GitLab-Application-Logs")) {
				t.Errorf("logged:\n%s\nwant one warning with %q", got, tc.want)
			}
		})
	}
}
