package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
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
	}{
		{"absent", nil, false, 0},
		{"empty", ptr(""), true, 0},
		{"two ids", ptr("0123456789abcdef0123456789abcdef\nfedcba98765432100123456789abcdef\n"), true, 2},
		{"torn last line", ptr("0123456789abcdef0123456789abcdef\nfedcba98"), true, 1},
		{"malformed", ptr("0123456789abcdef0123456789abcdef\nnot an id\n"), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.content != nil {
				if err := os.WriteFile(filepath.Join(dir, DeliveredFile), []byte(*tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			j, ids, ok := openDelivered(dir, slog.New(slog.DiscardHandler))
			if ok != tc.trusted || len(ids) != tc.ids {
				t.Errorf("trusted %v with %d ids, want %v with %d", ok, len(ids), tc.trusted, tc.ids)
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
	_, ids, ok := openDelivered(dir, log)
	if _, in := ids[c[:len(c)-1]]; !ok || len(ids) != 1 || !in {
		t.Errorf("reopened: trusted %v, ids %v; want the one id recorded after the reset", ok, ids)
	}
}
