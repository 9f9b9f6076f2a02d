package agent

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestOpenDelivered reads journals of delivered alerts: the ids of a
// well-formed one are trusted, a torn last line (a kill in the write) is
// left out, and an absent or malformed one is not trusted (the catch-up
// then drops every alert, as before the journal), an absent one created.
func TestOpenDelivered(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content *string
		trusted bool
		ids     int
		quiet   []quietKey
	}{
		{"absent", nil, false, 0, nil},
		{"empty", ptr(""), true, 0, nil},
		{"two ids", ptr("0123456789abcdef0123456789abcdef\nfedcba98765432100123456789abcdef\n"), true, 2, nil},
		{"torn last line", ptr("0123456789abcdef0123456789abcdef\nfedcba98"), true, 1, nil},
		{"whole last line without its newline", ptr("0123456789abcdef0123456789abcdef\nfedcba98765432100123456789abcdef 1718013600000000000 6100750062"), true, 2,
			[]quietKey{{"a\x00u\x00b", time.Date(2024, 6, 10, 10, 0, 0, 0, time.UTC)}}},
		{"last line torn in its suppression", ptr("0123456789abcdef0123456789abcdef\nfedcba98765432100123456789abcdef 17180136"), true, 1, nil},
		{"malformed", ptr("0123456789abcdef0123456789abcdef\nnot an id\n"), false, 0, nil},
		{"with suppression", ptr("0123456789abcdef0123456789abcdef 1718013600000000000 6100750062\nfedcba98765432100123456789abcdef\n"), true, 2,
			[]quietKey{{"a\x00u\x00b", time.Date(2024, 6, 10, 10, 0, 0, 0, time.UTC)}}},
		{"suppression not ns", ptr("0123456789abcdef0123456789abcdef soon 61\n"), false, 0, nil},
		{"suppression key not hex", ptr("0123456789abcdef0123456789abcdef 1718013600000000000 zz\n"), false, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.content != nil {
				if err := os.WriteFile(filepath.Join(dir, DeliveredFile), []byte(*tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			j, jr, ok := openDelivered(dir, slog.New(slog.DiscardHandler))
			if ok != tc.trusted || len(jr.ids) != tc.ids {
				t.Errorf("trusted %v with %d ids, want %v with %d", ok, len(jr.ids), tc.trusted, tc.ids)
			}
			if !reflect.DeepEqual(jr.quiet, tc.quiet) {
				t.Errorf("suppression %+v, want %+v", jr.quiet, tc.quiet)
			}
			if _, err := os.Stat(j.path); err != nil {
				t.Errorf("the journal is not there after the start: %v", err)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestDeliveredRecordReset appends ids across records, with the file held
// open between them, and empties the journal at a reset: the ids recorded
// after it are all the file holds, and a fresh openDelivered reads them.
func TestDeliveredRecordReset(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	j, _, _ := openDelivered(dir, log)
	read := func() string {
		t.Helper()
		b, err := os.ReadFile(j.path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const a, b, c = "0123456789abcdef0123456789abcdef\n", "fedcba98765432100123456789abcdef\n", "00112233445566778899aabbccddeeff\n"
	j.record([]byte(a), log)
	j.record([]byte(b), log)
	if got := read(); got != a+b {
		t.Fatalf("after two records the journal holds %q, want %q", got, a+b)
	}
	if err := j.reset(); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "" {
		t.Fatalf("after a reset the journal holds %q, want it empty", got)
	}
	j.record([]byte(c), log)
	if got := read(); got != c {
		t.Fatalf("after a reset and a record the journal holds %q, want %q", got, c)
	}
	_, jr, ok := openDelivered(dir, log)
	if _, in := jr.ids[c[:len(c)-1]]; !ok || len(jr.ids) != 1 || !in {
		t.Errorf("reopened: trusted %v, ids %v; want the one id recorded after the reset", ok, jr.ids)
	}
}

// TestDeliveredFailureLogged makes the journal a directory: emptying it
// and recording into it fail, each logged once with the file, however
// often they are retried, and their recovery is logged once the file can
// be written again.
func TestDeliveredFailureLogged(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	j, _, _ := openDelivered(dir, log)
	if err := os.Remove(j.path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(j.path, 0o700); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		j.empty(log)
		j.record([]byte("0123456789abcdef0123456789abcdef\n"), log)
	}
	file := "file=" + j.path
	for _, msg := range []string{"not emptied after a state save", "not written"} {
		if n := strings.Count(buf.String(), msg); n != 1 {
			t.Errorf("%q logged %d times over three failures, want once:\n%s", msg, n, buf.String())
		}
	}
	if n := strings.Count(buf.String(), file); n != 2 {
		t.Errorf("the file is named in %d messages, want 2:\n%s", n, buf.String())
	}
	wantRecovery(t, j, log, &buf)
}

// TestDeliveredUnreadableOneWarning: a journal that is a directory or a
// FIFO at the start is one warning, naming the file and saying to remove
// it; the records and empties that fail after it add none, and their
// recovery is logged once it is removed (fresh-user trial 52: three
// warnings, one advising to make the directory writable). A FIFO is not
// opened: the agent hung on it.
func TestDeliveredUnreadableOneWarning(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string) error
	}{
		{"directory", func(t *testing.T, path string) error { return os.Mkdir(path, 0o700) }},
		{"FIFO", mkfifo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "FIFO" {
				if err := mkfifo(t, filepath.Join(t.TempDir(), "probe")); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan struct{})
			go func() { // t.Error only: not the test's goroutine
				defer close(done)
				testDeliveredUnreadable(t, tc.make)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the journal blocked the agent for 10 s")
			}
		})
	}
}

// testDeliveredUnreadable is a case of TestDeliveredUnreadableOneWarning
// with the journal made by mk.
func testDeliveredUnreadable(t *testing.T, mk func(t *testing.T, path string) error) {
	dir := t.TempDir()
	if err := mk(t, filepath.Join(dir, DeliveredFile)); err != nil {
		t.Error(err)
		return
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	j, _, ok := openDelivered(dir, log)
	if ok {
		t.Error("an unreadable journal is trusted")
		return
	}
	for range 2 {
		j.record([]byte("0123456789abcdef0123456789abcdef\n"), log)
		j.empty(log)
	}
	if n := strings.Count(buf.String(), "level=WARN"); n != 1 || !strings.Contains(buf.String(), "remove it if it is not a regular file") || !strings.Contains(buf.String(), "file="+j.path) {
		t.Errorf("%d warnings, want one naming the file and saying to remove it:\n%s", n, buf.String())
	}
	wantRecovery(t, j, log, &buf)
}

// wantRecovery removes the directory in the place of the journal j, then
// empties it and records into it: both recoveries must be logged, through
// log, into buf (emptied first).
func wantRecovery(t *testing.T, j *deliveredLog, log *slog.Logger, buf *bytes.Buffer) {
	t.Helper()
	buf.Reset()
	if err := os.Remove(j.path); err != nil {
		t.Error(err)
		return
	}
	j.empty(log)
	j.record([]byte("0123456789abcdef0123456789abcdef\n"), log)
	for _, msg := range []string{"emptied again", "written again"} {
		if !strings.Contains(buf.String(), msg) {
			t.Errorf("recovery %q not logged:\n%s", msg, buf.String())
		}
	}
}
