package parser

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// seedFuzz adds every sample line and the JSON edge cases to the corpus.
func seedFuzz(f *testing.F) {
	for _, line := range allSampleLines(f) {
		f.Add(line)
	}
	for _, s := range jsonEdgeCases {
		f.Add([]byte(s))
	}
}

// parseAll runs every parser and Detect on line; none may panic, and every
// failure must be an *Error of the right type.
func parseAll(t *testing.T, line []byte) {
	t.Helper()
	Detect(line)
	for _, typ := range []Type{TypeAudit, TypeApplication, TypeAccess, TypeAuth} {
		var r Record
		err := New(typ).Parse(line, &r)
		if err == nil {
			if r.Type != typ {
				t.Fatalf("%s parser set Type %s", typ, r.Type)
			}
			checkFields(t, &r)
			continue
		}
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("%s parser returned %T, want *Error", typ, err)
		}
		if e.Type != typ || e.Offset < -1 || e.Offset > len(line) {
			t.Fatalf("%s parser returned bad error %+v for %q", typ, e, line)
		}
	}
}

// checkFields checks what holds for every parsed record.
func checkFields(t *testing.T, r *Record) {
	t.Helper()
	for _, f := range r.Fields {
		if f.Name == "" || len(f.Value) == 0 {
			t.Fatalf("empty column %q=%q", f.Name, f.Value)
		}
		if (r.Type == TypeAudit || r.Type == TypeAuth) && !utf8.Valid(f.Value) {
			t.Fatalf("%s column %s is not valid UTF-8: %q", r.Type, f.Name, f.Value)
		}
	}
	if !r.Time.IsZero() && r.Time.Location().String() != "UTC" {
		t.Fatalf("Time %v is not in UTC", r.Time)
	}
}

// checkReuse parses line into a Record that held another line before and
// compares the result with a fresh Record.
func checkReuse(t *testing.T, p Parser, other, line []byte) {
	t.Helper()
	var fresh, reused Record
	err1 := p.Parse(line, &fresh)
	_ = p.Parse(other, &reused)
	err2 := p.Parse(line, &reused)
	if (err1 == nil) != (err2 == nil) || (err1 == nil && !fresh.Equal(&reused)) {
		t.Fatalf("reused Record differs for %q:\n%s\nvs\n%s", line, formatCols(recordCols(&fresh)), formatCols(recordCols(&reused)))
	}
}

func FuzzAudit(f *testing.F) {
	seedFuzz(f)
	other := readLines(f, "audit_json.log")[3]
	f.Fuzz(func(t *testing.T, line []byte) {
		parseAll(t, line)
		checkDifferential(t, stdLib, TypeAudit, new(Audit), line)
		checkReuse(t, new(Audit), other, line)
	})
}

func FuzzAuth(f *testing.F) {
	seedFuzz(f)
	other := readLines(f, "auth_json.log")[6]
	f.Fuzz(func(t *testing.T, line []byte) {
		parseAll(t, line)
		checkDifferential(t, stdLib, TypeAuth, new(Auth), line)
		checkReuse(t, new(Auth), other, line)
		for _, m := range []struct {
			pat    string
			anchor byte
		}{{rackAttackMember, 'R'}, {allowlistMember, 'w'}} {
			if got, want := contains(line, m.pat, m.anchor), bytes.Contains(line, []byte(m.pat)); got != want {
				t.Fatalf("contains(%q, %s) = %v, bytes.Contains says %v", line, m.pat, got, want)
			}
		}
		var r Record
		if new(Auth).Parse(line, &r) != nil {
			return
		}
		for _, name := range []string{ColResponseCode, ColUserID, ColDeployTokenID} {
			if v, ok := r.Get(name); ok && !decimalDigits(v) {
				t.Fatalf("%s=%q is not a decimal number in %q", name, v, line)
			}
		}
	})
}

func FuzzApplication(f *testing.F) {
	seedFuzz(f)
	other := readLines(f, "application_json.log")[6]
	f.Fuzz(func(t *testing.T, line []byte) {
		parseAll(t, line)
		checkReuse(t, new(Application), other, line)
		line, _ = skipNULs(line)
		if i := skipWS(line, 0); i < len(line) && line[i] == '{' {
			checkDifferential(t, stdLib, TypeApplication, new(Application), line)
			return
		}
		var r Record
		if err := new(Application).Parse(line, &r); err != nil {
			return
		}
		ts, _ := r.Get(ColEventTime)
		msg, _ := r.Get(ColMessage)
		if !bytes.HasPrefix(line, ts) || string(line[len(ts):len(ts)+2]) != ": " || !bytes.Equal(line[len(ts)+2:], msg) {
			t.Fatalf("text line %q split into time %q and message %q", line, ts, msg)
		}
		if r.Time.IsZero() && !isYearOne(ts) {
			t.Fatalf("text line %q parsed without a time", line)
		}
		got := recordCols(&r)[2-boolInt(len(msg) == 0):]
		if want := refMessage(string(msg)); formatCols(got) != formatCols(want) {
			t.Fatalf("message %q:\ngot\n%swant\n%s", msg, formatCols(got), formatCols(want))
		}
	})
}

// isYearOne reports whether a timestamp is in year 1, whose first instant is
// the zero time.Time.
func isYearOne(ts []byte) bool {
	return bytes.HasPrefix(ts, []byte("0001-")) || bytes.Contains(ts, []byte(", 0001 ")) || bytes.Contains(ts, []byte("/0001:"))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func FuzzAccess(f *testing.F) {
	seedFuzz(f)
	other := readLines(f, "gitlab_access.log")[4]
	f.Fuzz(func(t *testing.T, line []byte) {
		parseAll(t, line)
		checkReuse(t, new(Access), other, line)
		var r Record
		if err := new(Access).Parse(line, &r); err != nil {
			return
		}
		line, _ = skipNULs(line)
		addr, _ := r.Get(ColIPAddress)
		if !bytes.HasPrefix(line, append(append([]byte(nil), addr...), " - "...)) {
			t.Fatalf("IPAddress %q is not the first field of %q", addr, line)
		}
		for _, f := range r.Fields {
			if f.Name != ColEventTime && !bytes.Contains(line, f.Value) {
				t.Fatalf("column %s=%q is not in the line %q", f.Name, f.Value, line)
			}
		}
		checkAccessTypes(t, &r, line)
	})
}

// checkAccessTypes checks that the typed access columns hold typed values.
func checkAccessTypes(t *testing.T, r *Record, line []byte) {
	t.Helper()
	code, ok := r.Get(ColResponseCode)
	if !ok || !isDigits(code) {
		t.Fatalf("ResponseCode %q for %q", code, line)
	}
	if n, ok := r.Get(ColBytesSent); ok && !isDigits(n) {
		t.Fatalf("BytesSent %q for %q", n, line)
	}
	if g, ok := r.Get(ColGzipRatio); ok {
		if _, err := strconv.ParseFloat(string(g), 64); err != nil || !isDecimal(g) {
			t.Fatalf("GzipRatio %q for %q", g, line)
		}
	}
	verb, hasVerb := r.Get(ColRequestVerb)
	proto, hasProto := r.Get(ColHTTPVersion)
	if hasVerb && (!isToken(verb) || !hasProto && string(verb) != "GET") {
		t.Fatalf("RequestVerb %q (HTTPVersion %q) for %q", verb, proto, line)
	}
	if hasProto && (!hasVerb || !isHTTPVersion(proto)) {
		t.Fatalf("HTTPVersion %q (RequestVerb %q) for %q", proto, verb, line)
	}
	ts, _ := r.Get(ColEventTime)
	local, ok := r.Get(ColTimeLocal)
	if !ok {
		t.Fatalf("no TimeLocal for %q", line)
	}
	if r.Time.IsZero() && !isYearOne(ts) {
		t.Fatalf("no time for %q", line)
	}
	want, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(local))
	if err != nil {
		return // a leap second, which time.Parse refuses
	}
	w := want.Format("2006-01-02T15:04:05-07:00")
	if bytes.HasSuffix(local, []byte("-0000")) {
		w = strings.TrimSuffix(w, "+00:00") + "-00:00"
	}
	if string(ts) != w || !want.Equal(r.Time) {
		t.Fatalf("EventTime %q Time %v, want %q %v for TimeLocal %q", ts, r.Time, w, want, local)
	}
}
