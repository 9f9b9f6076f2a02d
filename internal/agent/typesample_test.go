package agent

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestTypeSample: a source whose first lines none parse as its type, or
// parse but carry the marks of another (mapping.Marked), and most look
// like lines of another type is warned about once, naming that type; a
// sample with a line that parsed unmarked, or whose lines look like no
// one other type, is not, and nor is the next batch (fresh-user trial #7).
func TestTypeSample(t *testing.T) {
	lines := func(name string, n int) [][]byte {
		data, err := os.ReadFile("../../testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))[:n]
	}
	audit, access, app := lines("audit_json.log", 25), lines("gitlab_access.log", 3), lines("application_json.log", 1)
	for _, tc := range []struct {
		name   string
		lines  [][]byte
		parsed int // the first lines that parse
		want   string
	}{
		{"audit lines read as application", audit, 0, `looks_like=audit first_lines=20 of_that_type=20`},
		// The application parser takes audit lines; their keys tell them
		// (fresh-user trial 141: an auth source of audit lines, unflagged).
		{"audit lines that parse as application", audit, 25, `looks_like=audit first_lines=20 of_that_type=20`},
		{"one line parsed", append(append([][]byte{}, app...), audit...), 1, ""},
		{"lines of no one type", append(append([][]byte{}, access[:1]...), []byte("a custom line"), []byte("another")), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			ts := newTypeSample(parser.TypeApplication, container.Plain, "", slog.New(slog.NewTextHandler(&buf, nil)))
			for range 2 { // a second batch is not judged
				var ls lineSample
				for i, l := range tc.lines {
					ls.add(l, i < tc.parsed, parser.TypeApplication)
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

// TestFormatSample: a source of format cri or docker whose first lines as
// read are none of its format and mostly of one other (plain lines, the
// other runtime's records) is warned about once, naming what they are and
// the format to give, typed or not; a sample with a line of its format, or
// of no one other format, or a source of format auto or plain is not (fresh-user trial 62: check warned,
// run did not).
func TestFormatSample(t *testing.T) {
	plain := []byte(`{"severity":"INFO","time":"2024-05-31T14:00:00.421Z","author_id":1,"entity_id":1,"entity_type":"User"}`)
	cri := []byte("2024-05-31T14:00:00.421000000Z stdout F " + string(plain))
	docker := []byte(`{"log":"x\n","stream":"stdout","time":"2024-05-31T14:00:00.421Z"}`)
	for _, tc := range []struct {
		name   string
		typ    parser.Type
		format container.Format
		lines  [][]byte
		want   string // in the one warning; "": none
	}{
		{"plain under cri", parser.TypeAudit, container.CRI, [][]byte{plain, plain},
			`"the first lines read from the file are plain lines, not CRI records: is the source's format right?" file=f.log format=cri first_lines=2 hint="give the source format: plain (or auto), so that its lines are parsed; until then they go out raw under APP-NAME GitLab-Audit-Logs,`},
		{"docker under cri, untyped", parser.TypeUnknown, container.CRI, [][]byte{docker},
			`"the first lines read from the file are Docker json-file container log records, not CRI records: is the source's format right?" file=f.log format=cri first_lines=1 hint="give the source format: docker (or auto), so that its lines are unwrapped; until then they go out raw, without`},
		{"cri under docker", parser.TypeAccess, container.Docker, [][]byte{cri, cri, cri},
			`"the first lines read from the file are CRI container log records, not Docker json-file records: is the source's format right?" file=f.log format=docker first_lines=3`},
		{"cri under cri", parser.TypeAudit, container.CRI, [][]byte{cri, cri}, ""},
		{"one cri under cri", parser.TypeAudit, container.CRI, [][]byte{plain, cri, plain}, ""},
		{"no one format under cri", parser.TypeAudit, container.CRI, [][]byte{plain, docker}, ""},
		{"mostly plain under docker", parser.TypeAudit, container.Docker, [][]byte{plain, cri, plain},
			`"the first lines read from the file are plain lines, not Docker json-file records: is the source's format right?" file=f.log format=docker first_lines=3`},
		{"plain under auto", parser.TypeUnknown, container.Auto, [][]byte{plain}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			ts := newTypeSample(tc.typ, tc.format, "", slog.New(slog.NewTextHandler(&buf, nil)))
			for range 2 { // a second batch is not judged
				if !ts.wants() {
					break
				}
				var ls lineSample
				for _, l := range tc.lines {
					ls.addRecord(l)
				}
				ts.judge("f.log", &ls)
			}
			got := buf.String()
			if tc.want == "" && got != "" || tc.want != "" && (strings.Count(got, "\n") != 1 || !strings.Contains(got, tc.want)) {
				t.Errorf("logged:\n%s\nwant one warning with %q", got, tc.want)
			}
		})
	}
}
