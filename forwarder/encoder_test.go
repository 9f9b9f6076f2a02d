package forwarder

import (
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

var t0 = time.Date(2026, 8, 22, 10, 0, 0, 123456789, time.UTC)

func TestEncodeRFC5424(t *testing.T) {
	tests := []struct {
		name string
		enc  Encoder
		m    Message
		want string
	}{
		{
			name: "full",
			m: Message{Facility: Local7, Severity: Informational, Time: t0, Hostname: "gitlab01.example.com",
				AppName: AppNameAudit, MsgID: "audit",
				Params: []parser.Field{{Name: "AuthorName", Value: []byte("Jane")}, {Name: "meta.caller_id", Value: []byte("POST /api")}},
				Msg:    []byte(`{"severity":"INFO"}`)},
			want: `<190>1 2026-08-22T10:00:00.123456Z gitlab01.example.com GitLab-Audit-Logs - audit [gitlab@32473 AuthorName="Jane"][meta@32473 caller_id="POST /api"] {"severity":"INFO"}`,
		},
		{
			name: "nil values",
			m:    Message{Facility: Local7, Severity: Debug},
			want: `<191>1 - - - - - -`,
		},
		{
			name: "escapes and repair",
			m: Message{Facility: Local7, Severity: Error, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)),
				Params: []parser.Field{{Name: "v", Value: []byte("a\"b\\c]d[e\xffé\n")}}, Msg: []byte("x\r\n")},
			want: "<187>1 2026-01-02T02:04:05.000000Z - - - - [gitlab@32473 v=\"a\\\"b\\\\c\\]d[e\uFFFDé\n\"] x",
		},
		{
			name: "no SD option and custom SD-ID",
			enc:  Encoder{NoSD: true, SDID: "x@1"},
			m:    Message{Facility: Local0, Severity: Warning, Params: []parser.Field{{Name: "a", Value: []byte("b")}}, Msg: []byte("m")},
			want: `<132>1 - - - - - - m`,
		},
		{
			name: "custom SD-ID",
			enc:  Encoder{SDID: "gitlab@99999"},
			m:    Message{Facility: Kern, Severity: Emergency, Params: []parser.Field{{Name: "a", Value: []byte("b")}}},
			want: `<0>1 - - - - - [gitlab@99999 a="b"]`,
		},
		{
			name: "BOM stripped, trailing newlines stripped",
			m:    Message{Facility: User, Severity: Notice, Msg: []byte("\xEF\xBB\xBFhello\n\r\n")},
			want: `<13>1 - - - - - - hello`,
		},
		{
			// Fresh-user trial 246: a line read from "x\r\r\n" is "x\r"
			// (its columns keep the CR); only line endings are removed.
			name: "a CR not followed by LF is part of the line",
			m:    Message{Facility: User, Severity: Notice, Msg: []byte("x\r\r\n")},
			want: "<13>1 - - - - - - x\r",
		},
		{
			name: "a line ending in CR, without LF, keeps it",
			m:    Message{Facility: User, Severity: Notice, Msg: []byte("x\r")},
			want: "<13>1 - - - - - - x\r",
		},
		{
			// A file saved twice by an editor: MSG never begins with a
			// BOM (RFC 5424 §6.4: a BOM means what follows is UTF-8).
			name: "two BOMs stripped",
			m:    Message{Facility: User, Severity: Notice, Msg: []byte("\xEF\xBB\xBF\xEF\xBB\xBFr\xffoot")},
			want: "<13>1 - - - - - - r\xffoot",
		},
		{
			name: "header clamps",
			m: Message{Facility: Local7, Severity: Informational, Hostname: "host name", AppName: strings.Repeat("a", 60),
				ProcID: "pid\x00", MsgID: "ünïcode"},
			want: `<190>1 - host_name ` + strings.Repeat("a", 48) + ` pid_ __n__code -`,
		},
		{
			// The short forms: the name's first 23 bytes, bytes an SD-NAME
			// cannot hold as '_', '~' and the FNV-1a hash of the name
			// (hash/fnv New32a of `a b=c]d"e` is 23003c12).
			name: "invalid param names in their short form",
			m: Message{Facility: Local7, Severity: Informational,
				Params: []parser.Field{{Name: `a b=c]d"e`, Value: nil}, {Name: "", Value: []byte("x")}, {Name: strings.Repeat("n", 40), Value: []byte("y")}}},
			want: `<190>1 - - - - - [gitlab@32473 a_b_c_d_e~23003c12="" ~811c9dc5="x" ` + strings.Repeat("n", 23) + `~ac92a0e5="y"]`,
		},
		{
			// Issue 10 C: the 33-character Labkit key keeps its name, as
			// PARAM-NAME artifacts_dependencies_count of meta@32473.
			name: "meta columns in their own element",
			m: Message{Facility: Local7, Severity: Informational, Params: []parser.Field{
				{Name: "meta.caller_id", Value: []byte("Projects::ArtifactsController#download")},
				{Name: "Severity", Value: []byte("INFO")},
				{Name: "meta.artifacts_dependencies_count", Value: []byte("3")},
				{Name: "Message", Value: []byte("m")},
			}},
			want: `<190>1 - - - - - [gitlab@32473 Severity="INFO" Message="m"][meta@32473 caller_id="Projects::ArtifactsController#download" artifacts_dependencies_count="3"]`,
		},
		{
			name: "only meta columns",
			m:    Message{Facility: Local7, Severity: Informational, Params: []parser.Field{{Name: "meta.user", Value: []byte("root")}}},
			want: `<190>1 - - - - - [meta@32473 user="root"]`,
		},
		{
			name: "meta names with forbidden bytes in their short form",
			m: Message{Facility: Local7, Severity: Informational, Params: []parser.Field{
				{Name: "meta.user name", Value: []byte("1")}, {Name: "meta.user=name", Value: []byte("2")},
				{Name: "meta.user]name", Value: []byte("3")}, {Name: `meta.user"name`, Value: []byte("4")},
				{Name: "meta.usér", Value: []byte("5")}, {Name: "meta.", Value: []byte("6")},
				{Name: "meta.artifacts_dependencies_count_of_the_first_kind", Value: []byte("7")},
				{Name: "meta.artifacts_dependencies_count_of_the_other_kind", Value: []byte("8")},
			}},
			want: `<190>1 - - - - - [meta@32473 user_name~a59136f5="1" user_name~b61063de="2" user_name~5e463e7e="3" user_name~c4088ff3="4"` +
				` us__r~7cf2aa15="5" ~811c9dc5="6" artifacts_dependencies_~985fb1f4="7" artifacts_dependencies_~7b6f2898="8"]`,
		},
		{
			name: "meta SD-ID follows the SD-ID's enterprise number",
			enc:  Encoder{SDID: "gitlab@99999"},
			m:    Message{Facility: Kern, Severity: Emergency, Params: []parser.Field{{Name: "a", Value: []byte("b")}, {Name: "meta.x", Value: []byte("y")}}},
			want: `<0>1 - - - - - [gitlab@99999 a="b"][meta@99999 x="y"]`,
		},
		{
			name: "meta SD-ID set",
			enc:  Encoder{SDID: "gl@1", MetaSDID: "labkit@1"},
			m:    Message{Facility: Kern, Severity: Emergency, Params: []parser.Field{{Name: "meta.x", Value: []byte("y")}, {Name: "a", Value: []byte("b")}}},
			want: `<0>1 - - - - - [gl@1 a="b"][labkit@1 x="y"]`,
		},
		{
			// Two elements may not share an SD-ID; one element may repeat
			// a PARAM-NAME (RFC 5424 §6.3.3).
			name: "SD-ID named meta: one element",
			enc:  Encoder{SDID: "meta@1"},
			m: Message{Facility: Kern, Severity: Emergency, Params: []parser.Field{{Name: "meta.a", Value: []byte("1")},
				{Name: "a", Value: []byte("2")}}},
			want: `<0>1 - - - - - [meta@1 a="2" a="1"]`,
		},
		{
			name: "SD-ID without enterprise number",
			enc:  Encoder{SDID: "gitlab"},
			m:    Message{Facility: Kern, Severity: Emergency, Params: []parser.Field{{Name: "a", Value: []byte("b")}, {Name: "meta.x", Value: []byte("y")}}},
			want: `<0>1 - - - - - [gitlab a="b"][meta@32473 x="y"]`,
		},
		{
			name: "year out of range",
			m:    Message{Facility: Local7, Severity: Informational, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
			want: `<190>1 - - - - - -`,
		},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.enc.Append(nil, &tt.m))
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestEncoderStatsCountEveryChange(t *testing.T) {
	var e Encoder
	m := Message{Hostname: "a b", AppName: strings.Repeat("x", 49), ProcID: "ok", MsgID: "m\x7f",
		Params: []parser.Field{{Name: "bad name", Value: []byte("\xff")}, {Name: "good", Value: []byte("fine")}},
		Msg:    []byte("\xEF\xBB\xBF\xEF\xBB\xBFline"), Time: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.Append(nil, &m)
	got := e.Stats()
	want := EncoderStats{Clamped: 3, ShortNames: 1, Repaired: 1, BOMs: 2, Timestamps: 1}
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	// A clean message changes nothing.
	e2 := Encoder{}
	clean := Message{Hostname: "h", AppName: "a", Msg: []byte("m"), Params: []parser.Field{{Name: "k", Value: []byte("v ü")},
		{Name: "meta.artifacts_dependencies_count", Value: []byte("3")}}}
	e2.Append(nil, &clean)
	if s := e2.Stats(); s != (EncoderStats{}) {
		t.Errorf("clean message changed: %+v", s)
	}
}

func TestEncodeRFC3164(t *testing.T) {
	e := Encoder{Format: RFC3164, SDID: "ignored"}
	tests := []struct {
		m    Message
		want string
	}{
		{Message{Facility: Local7, Severity: Informational, Time: time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC), Hostname: "gl",
			AppName: AppNameAccess, MsgID: "access", Params: []parser.Field{{Name: "a", Value: []byte("b")}}, Msg: []byte("GET / 200")},
			`<190>Nov  2 03:04:05 gl GitLab-Access-Logs: GET / 200`},
		{Message{Facility: Local7, Severity: Error, Time: time.Date(2026, 1, 12, 13, 14, 15, 0, time.UTC), Hostname: "gl",
			AppName: "a:b[c]", ProcID: "42", Msg: []byte("x")},
			`<187>Jan 12 13:14:15 gl a_b_c_[42]: x`},
	}
	for _, tt := range tests {
		if got := string(e.Append(nil, &tt.m)); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestSeverityFromLabel(t *testing.T) {
	tests := []struct {
		in   string
		want Severity
	}{
		{"DEBUG", Debug}, {"INFO", Informational}, {"WARN", Warning}, {"ERROR", Error},
		{"FATAL", Critical}, {"UNKNOWN", Notice}, {"", Informational}, {"info", Informational},
		{" WARN ", Warning}, {"whatever", Notice},
	}
	for _, tt := range tests {
		if got := SeverityFromLabel([]byte(tt.in)); got != tt.want {
			t.Errorf("SeverityFromLabel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSeverityFromStatus(t *testing.T) {
	tests := []struct {
		code int
		want Severity
	}{
		{0, Informational}, {101, Informational}, {200, Informational}, {302, Informational},
		{400, Notice}, {401, Warning}, {403, Warning}, {404, Notice}, {499, Notice},
		{500, Error}, {503, Error}, {599, Error}, {600, Informational},
	}
	for _, tt := range tests {
		if got := SeverityFromStatus(tt.code); got != tt.want {
			t.Errorf("SeverityFromStatus(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestParseFacility(t *testing.T) {
	for in, want := range map[string]Facility{"local7": Local7, "LOCAL0": Local0, "23": Local7, "0": Kern, "auth": Auth} {
		got, err := ParseFacility(in)
		if err != nil || got != want {
			t.Errorf("ParseFacility(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "24", "-1", "local8", "07x"} {
		if _, err := ParseFacility(in); err == nil {
			t.Errorf("ParseFacility(%q) succeeded", in)
		}
	}
}

func TestFromRecord(t *testing.T) {
	o := DefaultRecordOptions("gl.example.com")
	o.Now = t0
	line := []byte(`1.2.3.4 - - [22/Aug/2026:10:00:00 +0000] "GET / HTTP/1.1" 503 0 "-" "curl"`)
	r := &parser.Record{Type: parser.TypeAccess, Fields: []parser.Field{
		{Name: "IPAddress", Value: []byte("1.2.3.4")}, {Name: "ResponseCode", Value: []byte("503")}}}
	var m Message
	m.FromRecord(r, line, &o)
	if m.Facility != Local7 || m.Severity != Error || m.AppName != AppNameAccess || m.MsgID != "access" ||
		!m.Time.Equal(t0) || m.Hostname != "gl.example.com" || len(m.Params) != 2 || string(m.Msg) != string(line) {
		t.Errorf("access mapping wrong: %+v", m)
	}
	rt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r = &parser.Record{Type: parser.TypeApplication, Time: rt, Fields: []parser.Field{{Name: "Severity", Value: []byte("WARN")}}}
	m.FromRecord(r, line, &o)
	if m.Severity != Warning || m.AppName != AppNameApplication || m.MsgID != "application" || !m.Time.Equal(rt) || len(m.Params) != 1 {
		t.Errorf("application mapping wrong: %+v", m)
	}
	o.AppName = "Custom"
	m.FromLine(parser.TypeAudit, line, &o)
	if m.Severity != Informational || m.AppName != "Custom" || m.MsgID != "audit" || len(m.Params) != 0 || !m.Time.Equal(t0) {
		t.Errorf("FromLine wrong: %+v", m)
	}
	o = DefaultRecordOptions("")
	m.FromLine(parser.TypeUnknown, line, &o)
	if m.AppName != AppNameUnknown || m.MsgID != "" {
		t.Errorf("unknown type: %+v", m)
	}
}

func TestEncodeAllocs(t *testing.T) {
	var e Encoder
	m := benchMessage()
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(1000, func() { buf = e.Append(buf[:0], &m) })
	if allocs != 0 {
		t.Errorf("Append allocates %v times per message, want 0", allocs)
	}
	// A derived meta SD-ID is built on the first Append only.
	custom := Encoder{SDID: "gitlab@99999"}
	if allocs := testing.AllocsPerRun(1000, func() { buf = custom.Append(buf[:0], &m) }); allocs != 0 {
		t.Errorf("Append with SDID %q allocates %v times per message, want 0", custom.SDID, allocs)
	}
	if !strings.Contains(string(buf), "[meta@99999 caller_id=") {
		t.Errorf("no meta@99999 element in %q", buf)
	}
	var b Batch
	for range 100 {
		b.Append(&e, &m)
	}
	allocs = testing.AllocsPerRun(100, func() {
		b.Reset()
		for range 100 {
			b.Append(&e, &m)
		}
	})
	if allocs != 0 {
		t.Errorf("Batch.Append allocates %v times per 100 messages, want 0", allocs)
	}
}

// TestEncodeElements checks the params of Message.Elements, written
// through the encoder's cache of PARAM-NAME heads: a meta.* name keeps
// its "meta." there (the cached head drops it), a name that is not an
// SD-NAME is written in its short form and counted, values are escaped,
// short and long; the same message twice gives the same bytes (the second
// from warm cache entries), and the SD-NAME and escaping rules are those
// of the element of the columns.
func TestEncodeElements(t *testing.T) {
	long := strings.Repeat("LongName", 5) // 40 bytes: not an SD-NAME
	params := []parser.Field{
		{Name: "rule", Value: []byte("sentinel.bruteforce")},
		{Name: "count", Value: []byte("12")},
		{Name: "meta.user", Value: []byte("root")},
		{Name: "bad name", Value: []byte(`a"b]c\d`)},
		{Name: long, Value: []byte("v")},
		{Name: "raw", Value: []byte("caf\xc3\xa9 \xff " + strings.Repeat("x", 20))},
		{Name: "Empty", Value: nil},
	}
	m := &Message{Time: time.Date(2024, 5, 10, 17, 46, 49, 65_000_000, time.UTC), Hostname: "h", AppName: AppNameDetections, MsgID: "m",
		Elements: []Element{{ID: "alert@32473", Params: params}},
		Params:   []parser.Field{{Name: "meta.user", Value: []byte("root")}, {Name: "rule", Value: []byte("x")}}}
	want := `<134>1 2024-05-10T17:46:49.065000Z h GitLab-Detections - m [alert@32473 rule="sentinel.bruteforce" count="12" meta.user="root" ` +
		parser.SDName("bad name") + `="a\"b\]c\\d" ` + parser.SDName(long) + `="v" raw="café ` + "\uFFFD" + ` xxxxxxxxxxxxxxxxxxxx" Empty=""]` +
		`[gitlab@32473 rule="x"][meta@32473 user="root"]`
	m.Facility, m.Severity = Local0, Informational
	e := &Encoder{}
	for i := range 2 {
		if got := string(e.Append(nil, m)); got != want {
			t.Fatalf("pass %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if st := e.Stats(); st.ShortNames != 4 || st.Repaired != 2 {
		t.Errorf("stats %+v, want 4 short names and 2 repaired values (two passes)", st)
	}
}

// TestEncoderCountsRepairedBefore: the values a parser repaired
// (Message.Repaired) are counted in EncoderStats.Repaired with the
// encoder's own, when STRUCTURED-DATA is written, and not with NoSD.
func TestEncoderCountsRepairedBefore(t *testing.T) {
	for _, tc := range []struct {
		name string
		noSD bool
		want uint64
	}{{"with SD", false, 3}, {"NoSD", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Encoder{NoSD: tc.noSD}
			m := Message{Facility: Local7, Severity: Informational, AppName: "x",
				Params: []parser.Field{{Name: "A", Value: []byte("\uFFFD")}, {Name: "B", Value: []byte("b\xff")}}, Msg: []byte("m"), Repaired: 2}
			e.Append(nil, &m)
			if got := e.Stats().Repaired; got != tc.want {
				t.Errorf("Repaired = %d, want %d", got, tc.want)
			}
		})
	}
}
