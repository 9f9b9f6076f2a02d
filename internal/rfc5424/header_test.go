package rfc5424

import (
	"errors"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"
)

func TestParseHeader(t *testing.T) {
	sdMsg := `<190>1 2018-10-17T17:38:22.523000Z node-a GitLab-Audit-Logs - audit [gitlab@32473 A="x\]y" B="2"][meta@32473 C="3"] {"a":1}`
	tests := []struct {
		name, in                       string
		pri                            int
		time                           time.Time
		host, app, proc, msgid, sd, mg string
	}{
		{"node message", sdMsg, 190, time.Date(2018, 10, 17, 17, 38, 22, 523000000, time.UTC),
			"node-a", "GitLab-Audit-Logs", "", "audit", `[gitlab@32473 A="x\]y" B="2"][meta@32473 C="3"] {"a":1}`, `{"a":1}`},
		{"nil values, no MSG", "<13>1 - - - - - -", 13, time.Time{}, "", "", "", "", "-", ""},
		{"offset and BOM", "<14>1 2026-01-02T03:04:05.1+02:00 h app 42 ID - \xEF\xBB\xBFhello", 14,
			time.Date(2026, 1, 2, 1, 4, 5, 100000000, time.UTC), "h", "app", "42", "ID", "- \xEF\xBB\xBFhello", "hello"},
		{"negative offset, no fraction", "<0>1 2026-01-02T03:04:05-05:30 h a - - - x y", 0,
			time.Date(2026, 1, 2, 8, 34, 5, 0, time.UTC), "h", "a", "", "", "- x y", "x y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Header
			if err := ParseHeader([]byte(tt.in), &h); err != nil {
				t.Fatal(err)
			}
			got := []string{string(h.Hostname), string(h.AppName), string(h.ProcID), string(h.MsgID), tt.in[h.SD:], tt.in[h.Msg:]}
			want := []string{tt.host, tt.app, tt.proc, tt.msgid, tt.sd, tt.mg}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q", i, got[i], want[i])
				}
			}
			if h.Priority != tt.pri || !h.Time.Equal(tt.time) {
				t.Errorf("pri %d time %v, want %d %v", h.Priority, h.Time, tt.pri, tt.time)
			}
			// The go-syslog parser agrees on the header.
			m, err := rfc5424.NewParser(rfc5424.WithBestEffort()).Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("go-syslog: %v", err)
			}
			sm := m.(*rfc5424.SyslogMessage)
			if sm.Timestamp != nil && !sm.Timestamp.Equal(h.Time) || sm.Hostname != nil && *sm.Hostname != tt.host {
				t.Errorf("go-syslog reads time %v host %v", sm.Timestamp, *sm.Hostname)
			}
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	for _, in := range []string{
		"", "hello", "<13>hello", "<192>1 - - - - - -", "<13>2 - - - - - -", "<13>1 - - -",
		"<13>1 2026-13-01T00:00:00Z h a - - - x", "<13>1 2026-01-01 00:00:00 h a - - - x",
		"<13>1 2026-01-01T00:00:00.Z h a - - - x", "<13>1 2026-01-01T00:00:00+0200 h a - - - x",
		`<13>1 - h a - - [x a="b" x`, "<13>1 - h a - - -x", "<13>1 - h a - - [x]y",
	} {
		var h Header
		if err := ParseHeader([]byte(in), &h); !errors.Is(err, errHeader) {
			t.Errorf("ParseHeader(%q) = %v, want an error", in, err)
		}
	}
}

var benchMsg = []byte(`<190>1 2018-10-17T17:38:22.523000Z node-a GitLab-Audit-Logs - audit [gitlab@32473 Severity="INFO" EventTime="2018-10-17T17:38:22.523Z" AuthorID="3" AuthorName="John Doe4" EntityID="2" EntityType="Project" TargetID="2" TargetType="Project" TargetDetails="namespace2/project2" ChangeType="visibility"] {"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`)

// BenchmarkParseHeader measures the own header parser on a node agent's
// message; BenchmarkGoSyslogRFC5424 the go-syslog v3 parser on the same.
func BenchmarkParseHeader(b *testing.B) {
	var h Header
	b.ReportAllocs()
	b.SetBytes(int64(len(benchMsg)))
	for b.Loop() {
		if err := ParseHeader(benchMsg, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoSyslogRFC5424(b *testing.B) {
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	b.ReportAllocs()
	b.SetBytes(int64(len(benchMsg)))
	for b.Loop() {
		if _, err := p.Parse(benchMsg); err != nil {
			b.Fatal(err)
		}
	}
}
