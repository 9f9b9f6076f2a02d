package parser

import (
	"strings"
	"testing"
)

// nulCases are a line of each type whose IPAddress is 10.0.0.6.
var nulCases = []struct {
	typ  Type
	line string
}{
	{TypeAccess, `10.0.0.6 - - [30/Nov/2026:09:00:00 +0000] "GET /x HTTP/1.1" 200 1 "" "curl" -`},
	{TypeAudit, `{"severity":"INFO","time":"2026-11-30T09:00:00.000Z","author_id":1,"entity_id":2,"entity_type":"User","ip_address":"10.0.0.6"}`},
	{TypeApplication, `{"severity":"INFO","time":"2026-11-30T09:00:00.000Z","message":"Failed Login: username=root ip=10.0.0.6"}`},
	{TypeApplication, `2026-11-30T09:00:00.000Z: Failed Login: username=root ip=10.0.0.6`},
	{TypeAuth, `{"severity":"ERROR","time":"2026-11-30T09:00:00.000Z","message":"Rack_Attack","env":"blocklist","remote_ip":"10.0.0.6","request_method":"GET","path":"/x"}`},
}

// TestLeadingNULs checks that every parser, and Detect, skips a run of NUL
// bytes before a line (what a crash or a copytruncate leaves in a log): the
// line gives the columns of GitLab's line after the run, IPAddress
// included (fresh-user trial: the access parser put the NULs into
// IPAddress, and the JSON parsers failed the line).
func TestLeadingNULs(t *testing.T) {
	for _, tt := range nulCases {
		var want Record
		if err := New(tt.typ).Parse([]byte(tt.line), &want); err != nil {
			t.Fatalf("%s: %q: %v", tt.typ, tt.line, err)
		}
		for _, nuls := range []int{1, 4, 4096} {
			padded := []byte(strings.Repeat("\x00", nuls) + tt.line)
			if got := Detect(padded); got != tt.typ {
				t.Errorf("Detect(%d NULs + %.40q) = %s, want %s", nuls, tt.line, got, tt.typ)
			}
			var got Record
			if err := New(tt.typ).Parse(padded, &got); err != nil {
				t.Errorf("%s: %d NULs + %.40q: %v", tt.typ, nuls, tt.line, err)
				continue
			}
			if g, w := formatCols(recordCols(&got)), formatCols(recordCols(&want)); g != w || !got.Time.Equal(want.Time) {
				t.Errorf("%s: %d NULs + %.40q:\ngot  %s (%v)\nwant %s (%v)", tt.typ, nuls, tt.line, g, got.Time, w, want.Time)
			}
			if ip, _ := got.Get(ColIPAddress); string(ip) != "10.0.0.6" {
				t.Errorf("%s: %d NULs: IPAddress = %q, want 10.0.0.6", tt.typ, nuls, ip)
			}
		}
	}
}

// TestNULsAfterPartLine checks that every parser, and Detect, reads
// GitLab's line after NUL padding that follows part of a line, the shape
// a crash leaves when the zeroed block starts mid-line and the writer's
// next line comes after it (fresh-user trial 90: the line failed as
// invalid JSON at the first NUL). A line that does not parse after the
// padding either fails with the error of the whole.
func TestNULsAfterPartLine(t *testing.T) {
	for _, tt := range nulCases {
		var want Record
		if err := New(tt.typ).Parse([]byte(tt.line), &want); err != nil {
			t.Fatalf("%s: %q: %v", tt.typ, tt.line, err)
		}
		for _, pad := range []string{
			tt.line[:len(tt.line)/2] + strings.Repeat("\x00", 700),
			strings.Repeat("\x00", 3) + tt.line[:20] + "\x00\x00x\x00",
			tt.line[:5] + "\x00" + "\ufeff",
		} {
			padded := []byte(pad + tt.line)
			if got := Detect(padded); got != tt.typ {
				t.Errorf("Detect(%.20q... + %.40q) = %s, want %s", pad, tt.line, got, tt.typ)
			}
			var got Record
			if err := New(tt.typ).Parse(padded, &got); err != nil {
				t.Errorf("%s: %.20q... + %.40q: %v", tt.typ, pad, tt.line, err)
				continue
			}
			if g, w := formatCols(recordCols(&got)), formatCols(recordCols(&want)); g != w || !got.Time.Equal(want.Time) {
				t.Errorf("%s: %.20q... + %.40q:\ngot  %s\nwant %s", tt.typ, pad, tt.line, g, w)
			}
		}
		bad := []byte(tt.line[:10] + "\x00\x00not a line of any log")
		var r Record
		if err := New(tt.typ).Parse(bad, &r); err == nil {
			t.Errorf("%s: %q parsed", tt.typ, bad)
		}
	}
}

// TestLeadingNULsErrorOffset checks that a line that does not parse after
// its NUL bytes fails at the offset in the line as given, NULs counted, and
// that a line of only NUL bytes fails.
func TestLeadingNULsErrorOffset(t *testing.T) {
	tests := []struct {
		typ  Type
		line string
	}{
		{TypeAccess, `10.0.0.6 - - [30/Nov/2026:09:00:00 +0000] "GET /x HTTP/1.1" 2x0 1 "" "curl" -`},
		{TypeAudit, `{"author_id":1,}`},
		{TypeApplication, `{"severity":"INFO",}`},
		{TypeApplication, `2026-11-30T09:00:00.000Z no colon`},
		{TypeAuth, `{"remote_ip":x}`},
	}
	for _, tt := range tests {
		var r Record
		plain, ok := New(tt.typ).Parse([]byte(tt.line), &r).(*Error)
		if !ok {
			t.Fatalf("%s: %q parsed, want an *Error", tt.typ, tt.line)
		}
		padded, ok := New(tt.typ).Parse([]byte("\x00\x00\x00"+tt.line), &r).(*Error)
		if !ok {
			t.Fatalf("%s: 3 NULs + %q parsed, want an *Error", tt.typ, tt.line)
		}
		want := plain.Offset
		if want >= 0 {
			want += 3
		}
		if padded.Offset != want || padded.Reason != plain.Reason {
			t.Errorf("%s: 3 NULs + %q: %v, want %q at byte %d", tt.typ, tt.line, padded, plain.Reason, want)
		}
		if err := New(tt.typ).Parse([]byte("\x00\x00"), &r); err == nil {
			t.Errorf("%s: a line of NUL bytes parsed", tt.typ)
		}
	}
}

// TestNULPaddingError checks that a line of NUL bytes and blanks fails,
// with every parser, as NUL padding (not as an "empty line" or a line that
// is not JSON), and that other lines that do not parse keep their reason.
func TestNULPaddingError(t *testing.T) {
	tests := []struct {
		line    string
		padding bool
	}{
		{"\x00", true},
		{"\x00\x00\x00\x00", true},
		{"\x00 \x00\t\r", true},
		{" \x00", true},
		{"\x00\x00  ", true},
		{"", false},
		{"   ", false},
		{"\xef\xbb\xbf", false},
		{"\x00\x00x", false},
		{"\x00\x00{", false},
	}
	for _, typ := range []Type{TypeAudit, TypeApplication, TypeAuth, TypeAccess} {
		for _, tt := range tests {
			var r Record
			err := New(typ).Parse([]byte(tt.line), &r)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("%s: %q: %v, want an *Error", typ, tt.line, err)
			}
			if got := e.Reason == nulPaddingReason; got != tt.padding {
				t.Errorf("%s: %q: %v; NUL padding %v, want %v", typ, tt.line, e, got, tt.padding)
			}
			if tt.padding && e.Offset != -1 {
				t.Errorf("%s: %q: Offset %d, want -1", typ, tt.line, e.Offset)
			}
		}
	}
}

// TestLeadingNULsNoAllocs checks that skipping NUL bytes keeps parsing
// allocation-free.
func TestLeadingNULsNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, tt := range nulCases {
		line := []byte("\x00\x00\x00\x00" + tt.line)
		p := New(tt.typ)
		var r Record
		if err := p.Parse(line, &r); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { p.Parse(line, &r) }); n != 0 {
			t.Errorf("%s: Parse allocates %v times per NUL-padded line, want 0", tt.typ, n)
		}
	}
}
