package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNULPaddedAccessLine checks a line after the NUL bytes a crash leaves
// in a log, from end to end: parse gives IPAddress without them, detect's
// threat-intelligence rule alerts for that address and counts the line as
// parsed, and send keeps the line as read (the NUL bytes too) in MSG.
// Before, IPAddress held the NUL bytes and the rule missed the address
// (fresh-user trial).
func TestNULPaddedAccessLine(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "gitlab_access.log")
	const nulLine = "\x00\x00\x00\x0010.0.0.6 - - [30/Nov/2026:09:00:00 +0000] \"GET /afternul HTTP/1.1\" 200 1 \"\" \"curl\" -"
	content := nulLine + "\n" +
		"10.0.0.7 - - [30/Nov/2026:09:00:00 +0000] \"GET /x HTTP/1.1\" 200 1 \"\" \"curl\" -\n"
	ti := filepath.Join(dir, "ti.txt")
	for name, data := range map[string]string{access: content, ti: "10.0.0.6\n10.0.0.7\n"} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "parse", access); err != nil {
		t.Fatalf("parse: %v\n%s", err, stderr.String())
	}
	if first, _, _ := strings.Cut(stdout.String(), "\n"); !strings.HasPrefix(first, `{"IPAddress":"10.0.0.6",`) {
		t.Errorf("parse printed\n%s\nwant IPAddress 10.0.0.6", first)
	}

	var out, errOut bytes.Buffer
	o := detectOptions{format: "json", rules: []string{"sentinel.ti_malicious_ip"}, params: []string{"ti_file=" + ti}}
	if err := runDetect(context.Background(), &o, []string{access}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"10.0.0.6", "10.0.0.7"} {
		if !strings.Contains(out.String(), `"IPAddress":"`+ip+`"`) {
			t.Errorf("no alert for %s:\n%s\n%s", ip, out.String(), errOut.String())
		}
	}
	if want := "read 2 lines (0 not parsed)"; !strings.Contains(errOut.String(), want) {
		t.Errorf("detect's summary lacks %q:\n%s", want, errOut.String())
	}

	stdout.Reset()
	stderr.Reset()
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--to", "-", access); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	if !strings.HasSuffix(first, "] "+nulLine) || !strings.Contains(first, `IPAddress="10.0.0.6"`) {
		t.Errorf("send printed\n%q\nwant IPAddress=\"10.0.0.6\" and MSG the line as read, NUL bytes included", first)
	}
}

// TestNULPaddingOverMaxLine: NUL padding longer than max_line_bytes
// before a line is cut to one NUL, and the line after it is parsed, not
// lost to the cut (fresh-user trial 76: 2,000,000 NULs swallowed the
// audit line after them, in run, parse, send and detect alike).
func TestNULPaddingOverMaxLine(t *testing.T) {
	access := filepath.Join(t.TempDir(), "gitlab_access.log")
	line := "10.0.0.6 - - [30/Nov/2026:09:00:00 +0000] \"GET /afternul HTTP/1.1\" 200 1 \"\" \"curl\" -"
	if err := os.WriteFile(access, []byte(strings.Repeat("\x00", 600<<10)+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "parse", "--max-line-bytes", "64KiB", access); err != nil {
		t.Fatalf("parse: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), `{"IPAddress":"10.0.0.6",`) || !strings.Contains(stderr.String(), "parsed 1 line, 0 failed") {
		t.Errorf("parse printed\n%.300s\n%s\nwant the line after the NULs parsed", stdout.String(), stderr.String())
	}
}

// TestNULPaddingOverMaxLineCutToOne: however long NUL padding goes on past
// max_line_bytes, send's MSG holds the line after it with at most one NUL
// before it, not what was left of the run after the last cut (fresh-user
// trial 85: 2,359,000 NULs left 1,048,281 in MSG, and a collector with
// rsyslog's default 8 KiB limit lost the GitLab line).
func TestNULPaddingOverMaxLineCutToOne(t *testing.T) {
	line := "10.0.0.6 - - [30/Nov/2026:09:00:00 +0000] \"GET /afternul HTTP/1.1\" 200 1 \"\" \"curl\" -"
	// Runs longer than the read buffer (256 KiB), and, fresh-user trial
	// 89, shorter ones (5,000 NULs with a 1 KiB limit, 100,000 with
	// 64 KiB), which left MSG max_line_bytes of NULs without the line.
	for _, tc := range []struct {
		nuls int
		max  string
	}{{600 << 10, "64KiB"}, {2*(256<<10) + 30000, "64KiB"}, {5*(256<<10) + 1, "64KiB"}, {5000, "1KiB"}, {100_000, "64KiB"}} {
		nuls := tc.nuls
		access := filepath.Join(t.TempDir(), "gitlab_access.log")
		if err := os.WriteFile(access, []byte(strings.Repeat("\x00", nuls)+line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--max-line-bytes", tc.max, "--to", "-", access); err != nil {
			t.Fatalf("send: %v\n%s", err, stderr.String())
		}
		msg, _, _ := strings.Cut(stdout.String(), "\n")
		if n := strings.Count(msg, "\x00"); n > 1 || !strings.HasSuffix(msg, line) || !strings.Contains(msg, `IPAddress="10.0.0.6"`) {
			t.Errorf("%d NULs: send printed %d bytes with %d NULs, want the parsed line after at most one NUL", nuls, len(msg), n)
		}
	}
}

// TestNULPaddingAfterPartLine: NUL padding after part of a line a crash
// cut short, then the writer's next line (the shape a crash leaves when
// its zeroed block starts mid-line), of every length around and far over
// the line limit: parse gives the columns of the line after the padding,
// and send its MSG, after one NUL (fresh-user trial 90: the line failed
// as invalid JSON, or was cut away with the padding).
func TestNULPaddingAfterPartLine(t *testing.T) {
	first := `{"severity":"INFO","time":"2025-03-04T12:00:00.000Z","author_id":1,"entity_id":1,"entity_type":"User","id":1,"target_details":"one"}`
	after := `{"severity":"INFO","time":"2025-03-04T12:00:01.000Z","author_id":1,"entity_id":1,"entity_type":"User","id":2,"target_details":"two"}`
	for _, tc := range []struct {
		nuls int
		max  string
	}{{500, "1KiB"}, {1025, "1KiB"}, {8193, "1KiB"}, {70000, "64KiB"}, {300 << 10, "64KiB"}, {2_000_000, "1MiB"}} {
		path := filepath.Join(t.TempDir(), "audit_json.log")
		data := first + "\n" + `{"severity":"INFO","ti` + strings.Repeat("\x00", tc.nuls) + after + "\n"
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "parse", "--max-line-bytes", tc.max, path); err != nil {
			t.Fatalf("%d NULs, %s: parse: %v\n%s", tc.nuls, tc.max, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), `"TargetDetails":"two"`) || !strings.Contains(stderr.String(), "parsed 2 lines, 0 failed") {
			t.Errorf("%d NULs, %s: parse printed\n%.400q\n%s\nwant the line after the padding parsed", tc.nuls, tc.max, stdout.String(), stderr.String())
		}
		stdout.Reset()
		stderr.Reset()
		if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--max-line-bytes", tc.max, "--to", "-", path); err != nil {
			t.Fatalf("%d NULs, %s: send: %v\n%s", tc.nuls, tc.max, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.Contains(lines[1], `TargetDetails="two"`) || !strings.HasSuffix(lines[1], after) {
			t.Errorf("%d NULs, %s: send printed %d messages, the second %.300q; want it parsed, MSG ending in the line", tc.nuls, tc.max, len(lines), lines[len(lines)-1])
		}
	}
}
