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

// wireKey is the documented place of a param on the wire: the SD-ID of its
// element and its PARAM-NAME (see Encoder).
func wireKey(e *Encoder, name string) (id, param string) {
	if rest, ok := strings.CutPrefix(name, parser.MetaPrefix); ok {
		id = e.MetaSDID
		if id == "" {
			id = MetaSDIDFor(e.SDID)
		}
		return parser.SDName(id), parser.SDName(rest)
	}
	id = e.SDID
	if id == "" {
		id = DefaultSDID
	}
	return parser.SDName(id), parser.SDName(name)
}

func wantSDOf(e *Encoder, m *Message) map[string]map[string]string {
	if e.NoSD || len(m.Params) == 0 {
		return nil
	}
	sd := map[string]map[string]string{}
	for _, p := range m.Params {
		id, name := wireKey(e, p.Name)
		if sd[id] == nil {
			sd[id] = map[string]string{}
		}
		// Converting to []rune turns each invalid byte into U+FFFD, as the
		// encoder does.
		sd[id][name] = string([]rune(string(p.Value)))
	}
	return sd
}

func wantMsgOf(b []byte) []byte {
	for bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) { // every leading BOM
		b = b[3:]
	}
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

// TestRoundTripMetaElement parses the meta.* sample lines, encodes them and
// reads them back with the go-syslog v3 RFC 5424 parser: the meta.* columns
// arrive in their own element under the name that follows "meta." in the
// column, the other columns in the main element under their own names.
func TestRoundTripMetaElement(t *testing.T) {
	data, err := os.ReadFile("../testdata/application_json_meta.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	want := []map[string]map[string]string{
		{
			"gitlab@99999": {"Severity": "INFO", "EventTime": "2024-06-03T09:12:44.512Z", "CorrelationID": "01HZG5Q7M3VJ8K2D4T6Y9B1C0E",
				"Message": "Job dependencies resolved"},
			"meta@99999": {"caller_id": "POST /api/:version/jobs/request", "remote_ip": "10.0.4.17",
				"feature_category": "continuous_integration", "user": "ci-bot", "user_id": "57", "project": "acme/widgets",
				"root_namespace": "acme", "client_id": "runner/12", "artifacts_dependencies_size": "1048576",
				"artifacts_dependencies_count": "3", "sidekiq_destination_shard_name": "default"},
		},
		{
			"gitlab@99999": {"Severity": "WARN", "EventTime": "2024-06-03T09:12:45.001Z", "CorrelationID": "01HZG5Q7N1AB2CD3EF4GH5JK6M",
				"Message": "meta keys that are not SD-NAMEs"},
			"meta@99999": {"user_name~a59136f5": "space", "a_b~0ab0bc73": "equals", "a_b~0b9e3f13": "bracket",
				"q_uote~029dc4d9": "quote", "caf__~a82b5049": "non-ASCII", "~811c9dc5": "empty", "tab_here~a0c92419": "control"},
		},
		{
			"gitlab@99999": {"Severity": "INFO", "EventTime": "2024-06-03T09:12:46.250Z", "CorrelationID": "01HZG5Q7P8QR9ST0UV1WX2YZ3A",
				"Message": "two long keys sharing their first 32 characters, one repeated"},
			"meta@99999": {"artifacts_dependencies_~985fb1f4": "3", "artifacts_dependencies_~7b6f2898": "2"},
		},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d sample lines, want %d", len(lines), len(want))
	}
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	e := Encoder{SDID: "gitlab@99999"}
	o := DefaultRecordOptions("gl")
	var rec parser.Record
	var m Message
	for i, line := range lines {
		if err := new(parser.Application).Parse(line, &rec); err != nil {
			t.Fatal(err)
		}
		m.FromRecord(&rec, line, &o)
		enc := e.Append(nil, &m)
		got, err := p.Parse(enc)
		if err != nil {
			t.Fatalf("line %d: go-syslog: %v in %q", i+1, err, enc)
		}
		sd := got.(*rfc5424.SyslogMessage).StructuredData
		if sd == nil || len(*sd) != len(want[i]) {
			t.Fatalf("line %d: SD %v, want %v", i+1, sd, want[i])
		}
		for id, params := range want[i] {
			gp := (*sd)[id]
			if len(gp) != len(params) {
				t.Errorf("line %d: [%s] = %v, want %v", i+1, id, gp, params)
			}
			for k, v := range params {
				if gp[k] != v {
					t.Errorf("line %d: [%s] %s = %q, want %q", i+1, id, k, gp[k], v)
				}
			}
		}
		// Every column of the record is found on the wire by the rule.
		for _, f := range rec.Fields {
			id, name := "gitlab@99999", f.Name
			if rest, ok := strings.CutPrefix(f.Name, "meta."); ok {
				id, name = "meta@99999", rest
			}
			if (*sd)[id][name] != string(f.Value) {
				t.Errorf("line %d: column %s = %q not found as [%s] %s", i+1, f.Name, f.Value, id, name)
			}
		}
	}
	if s := e.Stats(); s.ShortNames != 0 {
		t.Errorf("parsed columns were renamed on the wire: %+v", s)
	}
}
