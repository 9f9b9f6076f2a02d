package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestGzipTrailingBytes: bytes after the last complete member of gzip
// data that start no other member (zeros, garbage) are ignored with a
// warning, as gzip -d does: every line is read, and the input is not
// called damaged or truncated. They used to be "gzip: invalid header"
// (damaged) for zeros and "the file is truncated" for short garbage.
// A second member whose header is cut stays an error.
func TestGzipTrailingBytes(t *testing.T) {
	lines := "{\"a\":1}\n{\"a\":2}\n{\"a\":3}" // the last without "\n": cut by a cut member
	gz, err := gzipBytes([]byte(lines))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, trailer string
		n             int    // lines read
		warn, err     string // the error's text: a warning, or a failure
	}{
		{"zeros", strings.Repeat("\x00", 1024), 3, "x.gz: warning: the gzip data ends with 1024 bytes that are all zero after its last complete member: ignored, as gzip -d ignores them; every line before them was read", ""},
		{"garbage", "garbage\n", 3, "x.gz: warning: the gzip data ends with 8 bytes that are not gzip data (trailing garbage) after its last complete member", ""},
		{"one byte", "\n", 3, "x.gz: warning: the gzip data ends with 1 byte that is not gzip data (trailing garbage) after its last complete member: ignored, as gzip -d ignores it; every line before it was read", ""},
		{"none", "", 3, "", ""},
		{"second member cut in its header", string(gz[:5]), 2, "", "gzip data ends early after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "x.gz"), string(gz)+tc.trailer)
			var got []string
			err := readInput(context.Background(), path, nil, 0, func(_ string, _ int, l []byte, _ int) error {
				got = append(got, string(l))
				return nil
			})
			if len(got) != tc.n {
				t.Errorf("%d lines read (%q), want %d", len(got), got, tc.n)
			}
			w := asReadWarning(err)
			switch {
			case tc.warn != "" && (w == nil || !strings.Contains(w.Error(), filepath.Dir(path)+"/"+tc.warn)):
				t.Errorf("error = %v\nwant the warning %s", err, tc.warn)
			case tc.err != "" && (err == nil || w != nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error = %v\nwant an error with %s", err, tc.err)
			case tc.warn == "" && tc.err == "" && err != nil:
				t.Errorf("error = %v, want none", err)
			}
		})
	}
}

// TestGzipTrailingCommands: detect, parse and send read a .gz with
// trailing zeros, or an empty .gz, to its end, print the warning once, in
// each command's warning form (detect's and send's "CMD: WARNING: FILE:
// what: cause; what to do"), detect's before its summary, and exit 0.
func TestGzipTrailingCommands(t *testing.T) {
	line := `{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}` + "\n"
	gz, err := gzipBytes([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zeros := writeFile(t, filepath.Join(dir, "audit_json.log.1.gz"), string(gz)+strings.Repeat("\x00", 512))
	empty := writeFile(t, filepath.Join(dir, "zero.log.gz"), "")
	plain := writeFile(t, filepath.Join(dir, "audit_json.log"), line)
	const (
		zeroWarn  = ": the gzip data ends with 512 bytes that are all zero after its last complete member: ignored, as gzip -d ignores them; every line before them was read\n"
		emptyWarn = ": read as empty, no line: the file is empty (0 bytes), which is not valid gzip data (gzip -t calls it an error); probably a failed copy or compression: check the file it was made from\n"
	)
	for _, tc := range []struct {
		name string
		args []string
		want string // the warning's line
	}{
		{"detect zeros", []string{"detect", "--rule", "sentinel.repo_public", zeros}, "detect: WARNING: " + zeros + zeroWarn},
		{"parse zeros", []string{"parse", zeros}, "gitlab-syslog: parse: " + zeros + ": warning" + zeroWarn},
		{"send zeros", []string{"send", "--to", "stdout", zeros}, "send: WARNING: " + zeros + zeroWarn},
		{"detect empty", []string{"detect", "--rule", "sentinel.repo_public", empty, plain}, "detect: WARNING: " + empty + emptyWarn},
		{"parse empty", []string{"parse", empty}, "gitlab-syslog: parse: " + empty + ": warning" + emptyWarn},
		{"send empty", []string{"send", "--to", "stdout", empty}, "send: WARNING: " + empty + emptyWarn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			stderr := errOut.String()
			if c := strings.Count(stderr, tc.want); c != 1 || !strings.HasPrefix(stderr, tc.want) && !strings.Contains(stderr, "\n"+tc.want) {
				t.Errorf("stderr has the line %q %d times, want once:\n%s", tc.want, c, stderr)
			}
			if tc.args[0] != "detect" {
				return
			}
			if !strings.Contains(out.String(), `"rule":"sentinel.repo_public"`) {
				t.Errorf("no alert:\n%s", out.String())
			}
			if w, s := strings.Index(stderr, tc.want), strings.Index(stderr, "detect: read "); s < 0 || w > s {
				t.Errorf("the warning (at %d) is not before the summary (at %d):\n%s", w, s, stderr)
			}
		})
	}
}
