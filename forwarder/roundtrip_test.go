package forwarder

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	syslog "github.com/influxdata/go-syslog/v3"
	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// checkRoundTrip encodes m, parses it back with the go-syslog v3 RFC 5424
// parser and compares every field with what the encoder promises.
func checkRoundTrip(t *testing.T, p syslog.Machine, e *Encoder, m *Message) {
	t.Helper()
	enc := e.Append(nil, m)
	wantMsg := wantMsgOf(m.Msg)
	got, err := p.Parse(enc)
	sm, _ := got.(*rfc5424.SyslogMessage)
	if err != nil {
		// The v3 parser requires MSG to be UTF-8; RFC 5424 allows any octets
		// and we keep the line byte for byte. Check the header and SD it did
		// parse, and MSG by hand.
		if utf8.Valid(wantMsg) || sm == nil || !sm.Valid() {
			t.Fatalf("parse %q: %v", trunc(enc), err)
		}
		if !bytes.HasSuffix(enc, append([]byte{' '}, wantMsg...)) {
			t.Fatalf("MSG not kept byte for byte in %q", trunc(enc))
		}
		wantMsg = nil
		sm.Message = nil
	}
	if sm == nil {
		t.Fatalf("parse %q: no message", trunc(enc))
	}
	if want := uint8(m.Facility)*8 + uint8(m.Severity); sm.Priority == nil || *sm.Priority != want {
		t.Errorf("priority = %v, want %d", ptr(sm.Priority), want)
	}
	if sm.Version != 1 {
		t.Errorf("version = %d", sm.Version)
	}
	switch {
	case m.Time.IsZero():
		if sm.Timestamp != nil {
			t.Errorf("timestamp = %v, want nil", sm.Timestamp)
		}
	case sm.Timestamp == nil || !sm.Timestamp.Equal(m.Time.Truncate(time.Microsecond)):
		t.Errorf("timestamp = %v, want %v", ptr(sm.Timestamp), m.Time.Truncate(time.Microsecond))
	}
	eqStr(t, "hostname", sm.Hostname, wantHeader(m.Hostname, MaxHostname))
	eqStr(t, "appname", sm.Appname, wantHeader(m.AppName, MaxAppName))
	eqStr(t, "procid", sm.ProcID, wantHeader(m.ProcID, MaxProcID))
	eqStr(t, "msgid", sm.MsgID, wantHeader(m.MsgID, MaxMsgID))
	if len(wantMsg) == 0 {
		if sm.Message != nil && *sm.Message != "" {
			t.Errorf("message = %q, want none", trunc([]byte(*sm.Message)))
		}
	} else if sm.Message == nil || *sm.Message != string(wantMsg) {
		t.Errorf("message = %q, want %q", trunc([]byte(ptr(sm.Message))), trunc(wantMsg))
	}
	wantSD := wantSDOf(e, m)
	var gotSD map[string]map[string]string
	if sm.StructuredData != nil {
		gotSD = *sm.StructuredData
	}
	if len(wantSD) != len(gotSD) {
		t.Fatalf("SD = %v, want %v", gotSD, wantSD)
	}
	for id, params := range wantSD {
		gp, ok := gotSD[id]
		if !ok || len(gp) != len(params) {
			t.Fatalf("SD[%s] = %v, want %v", id, gp, params)
		}
		for k, v := range params {
			if gp[k] != v {
				t.Errorf("SD[%s][%q] = %q, want %q", id, k, trunc([]byte(gp[k])), trunc([]byte(v)))
			}
		}
	}
}

func ptr[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

func eqStr(t *testing.T, what string, got *string, want string) {
	t.Helper()
	if want == "-" {
		if got != nil {
			t.Errorf("%s = %q, want nil", what, *got)
		}
		return
	}
	if got == nil || *got != want {
		t.Errorf("%s = %q, want %q", what, ptr(got), want)
	}
}

func trunc(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// wantHeader is the documented clamp of a header field.
func wantHeader(s string, max int) string {
	if s == "" {
		return "-"
	}
	if len(s) > max {
		s = s[:max]
	}
	b := []byte(s)
	for i, c := range b {
		if c < 33 || c > 126 {
			b[i] = '_'
		}
	}
	return string(b)
}

func wantSDName(s string) string {
	if s == "" {
		return "_"
	}
	if len(s) > MaxSDName {
		s = s[:MaxSDName]
	}
	b := []byte(s)
	for i, c := range b {
		if c < 33 || c > 126 || c == '=' || c == ']' || c == '"' {
			b[i] = '_'
		}
	}
	return string(b)
}

func wantSDOf(e *Encoder, m *Message) map[string]map[string]string {
	if e.NoSD || len(m.Params) == 0 {
		return nil
	}
	id := e.SDID
	if id == "" {
		id = DefaultSDID
	}
	params := map[string]string{}
	for _, p := range m.Params {
		// Converting to []rune turns each invalid byte into U+FFFD, as the
		// encoder does.
		params[wantSDName(p.Name)] = string([]rune(string(p.Value)))
	}
	return map[string]map[string]string{wantSDName(id): params}
}

func wantMsgOf(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	return bytes.TrimRight(b, "\r\n")
}

var hostile = []string{
	`"`, `]`, `\`, `[`, `=`, " ", "\n", "\r\n", "\x00", "\t", "\xff", "\xc3", "\xe2\x82", "é", "😀", "日本語",
	`\"`, `\]`, `"]`, "\xEF\xBB\xBF", "-", "ok", "value", "a=b", `x"y]z\`, "\x7f", "\u2028",
}

func randHostile(r *rand.Rand, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteString(hostile[r.IntN(len(hostile))])
	}
	return sb.String()
}

func randMessage(r *rand.Rand) Message {
	m := Message{
		Facility: Facility(r.IntN(24)),
		Severity: Severity(r.IntN(8)),
		Hostname: randHostile(r, r.IntN(4)),
		AppName:  randHostile(r, r.IntN(4)),
		ProcID:   randHostile(r, r.IntN(3)),
		MsgID:    randHostile(r, r.IntN(3)),
		Msg:      []byte(randHostile(r, r.IntN(12))),
	}
	if r.IntN(4) > 0 {
		m.Time = time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("X", r.IntN(50000)-25000))
	}
	for range r.IntN(8) {
		name := randHostile(r, 1+r.IntN(3))
		if r.IntN(2) == 0 {
			name = []string{"AuthorName", "meta.caller_id", "IPAddress", "x"}[r.IntN(4)]
		}
		m.Params = append(m.Params, parser.Field{Name: name, Value: []byte(randHostile(r, r.IntN(20)))})
	}
	if r.IntN(100) == 0 {
		big := strings.Repeat("x\"]\\é😀", 100<<10/10)
		m.Params = append(m.Params, parser.Field{Name: "big", Value: []byte(big)})
		m.Msg = append(m.Msg, big...)
	}
	return m
}

func TestRoundTripHostile(t *testing.T) {
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	r := rand.New(rand.NewPCG(1, 2))
	encoders := []*Encoder{{}, {SDID: "gitlab@99999"}, {NoSD: true}}
	for i := range 2000 {
		m := randMessage(r)
		e := encoders[i%len(encoders)]
		checkRoundTrip(t, p, e, &m)
		if t.Failed() {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
}

func TestRoundTripExamples(t *testing.T) {
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	var e Encoder
	tests := []Message{
		{Facility: Local7, Severity: Informational, Time: t0, Hostname: "gl", AppName: AppNameAudit, MsgID: "audit",
			Params: []parser.Field{{Name: "TargetDetails", Value: []byte("line1\nline2 \"quoted\" ]bracket[ back\\slash NUL\x00 ünïcødé 😀")}},
			Msg:    []byte(`{"a":"b"}`)},
		// go-syslog v3's parser is quadratic in the message length: 64 KiB
		// here; the 1 MiB cases are checked frame by frame in
		// TestBadInputKeepsFraming.
		{Facility: Local7, Severity: Informational, Params: []parser.Field{{Name: "v", Value: bytes.Repeat([]byte("é]"), 16<<10)}},
			Msg: bytes.Repeat([]byte("x"), 64<<10)},
		{Facility: Local7, Severity: Informational, Msg: []byte("\xEF\xBB\xBF{\"bom\":true}\n")},
		{Facility: Local7, Severity: Informational, Msg: []byte("invalid \xff utf-8 kept as is")},
	}
	for i := range tests {
		checkRoundTrip(t, p, &e, &tests[i])
	}
}

// TestRoundTripTestdata sends every line of the shared testdata logs
// through the parser (when it parses the line) and the encoder.
func TestRoundTripTestdata(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.log")
	if len(files) == 0 {
		t.Skip("no ../testdata/*.log files yet")
	}
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	var e Encoder
	o := DefaultRecordOptions("gitlab.example.com")
	o.Now = t0
	var rec parser.Record
	var m Message
	total, parsed := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		typ := typeOfFile(f)
		ps := parser.New(typ)
		for line := range bytes.Lines(data) {
			line = bytes.TrimRight(line, "\r\n")
			if len(line) == 0 {
				continue
			}
			total++
			if ps != nil && ps.Parse(line, &rec) == nil {
				parsed++
				m.FromRecord(&rec, line, &o)
			} else {
				m.FromLine(typ, line, &o)
			}
			checkRoundTrip(t, p, &e, &m)
			if t.Failed() {
				t.Fatalf("%s: line %q", f, line)
			}
		}
	}
	t.Logf("%d lines, %d parsed into records", total, parsed)
}

func typeOfFile(path string) parser.Type {
	base := filepath.Base(path)
	switch {
	case strings.Contains(base, "audit"):
		return parser.TypeAudit
	case strings.Contains(base, "access"):
		return parser.TypeAccess
	case strings.Contains(base, "application"):
		return parser.TypeApplication
	}
	return parser.TypeUnknown
}
