package mapping

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

const (
	accessLine = `81.2.69.142 - - [13/Jun/2024:11:02:13 +0000] "GET /users/sign_in HTTP/2.0" 200 4811 "" "curl/8.5.0" 5.80`
	auditLine  = `{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`
)

// param returns the value of the STRUCTURED-DATA param name in m.
func param(m *forwarder.Message, name string) (string, bool) {
	for _, f := range m.Params {
		if f.Name == name {
			return string(f.Value), true
		}
	}
	return "", false
}

func TestMap(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		typ     parser.Type
		line    string
		cut     bool
		wantErr error // nil: parsed; errParse: the parser's error
		msgID   string
		want    map[string]string // params that must be there
	}{
		{"access parsed", parser.TypeAccess, accessLine, false, nil, "access",
			map[string]string{"IPAddress": "81.2.69.142", "GzipRatio": "5.80", "ResponseCode": "200"}},
		{"audit parsed", parser.TypeAudit, auditLine, false, nil, "audit",
			map[string]string{"AuthorName": "John Doe4"}},
		{"type detected per line", parser.TypeUnknown, auditLine, false, nil, "audit",
			map[string]string{"AuthorName": "John Doe4"}},
		{"cut line raw although it parses", parser.TypeAccess, accessLine[:len(accessLine)-1], true, ErrCut, "access", nil},
		{"cut line of a detected type", parser.TypeUnknown, auditLine[:len(auditLine)-20], true, ErrCut, "audit", nil},
		{"unparsable", parser.TypeAudit, `{"severity":`, false, errParse, "audit", nil},
		{"no type detected", parser.TypeUnknown, "not a GitLab line", false, ErrNoParser, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(tt.typ, nil, forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "h"})
			m.Opts.Now = now
			var rec parser.Record
			var msg forwarder.Message
			err := m.Map([]byte(tt.line), tt.cut, &rec, &msg)
			switch {
			case tt.wantErr == errParse:
				if err == nil || errors.Is(err, ErrCut) || errors.Is(err, ErrNoParser) {
					t.Fatalf("Map = %v, want the parser's error", err)
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("Map = %v, want %v", err, tt.wantErr)
			}
			if string(msg.Msg) != tt.line {
				t.Errorf("MSG = %q, want the line %q", msg.Msg, tt.line)
			}
			if msg.MsgID != tt.msgID || msg.Hostname != "h" || msg.Facility != forwarder.Local7 {
				t.Errorf("header: MSGID %q HOSTNAME %q facility %v, want %q h local7", msg.MsgID, msg.Hostname, msg.Facility, tt.msgID)
			}
			if err != nil {
				if len(msg.Params) != 0 || !msg.Time.Equal(now) {
					t.Errorf("a raw message has %d params and time %v, want none and the read time", len(msg.Params), msg.Time)
				}
				return
			}
			for k, v := range tt.want {
				if got, ok := param(&msg, k); !ok || got != v {
					t.Errorf("param %s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			if msg.Time.Equal(now) {
				t.Errorf("a parsed message has the read time, want the event time")
			}
		})
	}
}

// errParse stands for any error of the parser in TestMap's table.
var errParse = errors.New("the parser's error")

// A parsed line gets the GeoIP columns of its IPAddress; a raw one none.
func TestMapGeoIP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	writeASNDB(t, path, "81.2.69.0/24", 64500, "Example Net")
	db, err := geoip.Open("", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := New(parser.TypeAccess, db, forwarder.RecordOptions{})
	var rec parser.Record
	var msg forwarder.Message
	if err := m.Map([]byte(accessLine), false, &rec, &msg); err != nil {
		t.Fatal(err)
	}
	if got, _ := param(&msg, geoip.FieldASN); got != "64500" {
		t.Errorf("ASN = %q, want 64500", got)
	}
	if got, _ := param(&msg, geoip.FieldASOrganization); got != "Example Net" {
		t.Errorf("ASOrganization = %q, want Example Net", got)
	}
	// The record keeps its own columns; the message has them first, then
	// the GeoIP ones, and mapping again (the Mapper's buffer reused) gives
	// the same.
	n := len(rec.Fields)
	if _, ok := rec.Get(geoip.FieldASN); ok || len(msg.Params) != n+2 {
		t.Fatalf("record has %d columns (ASN among them: %v), message %d params, want the record's and 2", n, ok, len(msg.Params))
	}
	for i, f := range rec.Fields {
		if p := msg.Params[i]; p.Name != f.Name || string(p.Value) != string(f.Value) {
			t.Errorf("param %d = %s=%q, want the record's %s=%q", i, p.Name, p.Value, f.Name, f.Value)
		}
	}
	first := fmt.Sprint(msg.Params)
	if err := m.Map([]byte(accessLine), false, &rec, &msg); err != nil || fmt.Sprint(msg.Params) != first || len(rec.Fields) != n {
		t.Errorf("mapping again: %v, params %v, want %v and %d record columns (got %d)", err, msg.Params, first, n, len(rec.Fields))
	}
	if err := m.Map([]byte(accessLine), true, &rec, &msg); !errors.Is(err, ErrCut) || len(msg.Params) != 0 {
		t.Errorf("cut line: Map = %v with %d params, want ErrCut and none", err, len(msg.Params))
	}
}

// Map allocates nothing once its buffers have grown, for a line parsed or
// cut. (A line that does not parse costs the parser's error.)
func TestMapAllocs(t *testing.T) {
	m := New(parser.TypeUnknown, nil, forwarder.RecordOptions{Now: time.Now()})
	var rec parser.Record
	var msg forwarder.Message
	lines := [][]byte{[]byte(accessLine), []byte(auditLine)}
	for _, cut := range []bool{false, true} {
		for _, l := range lines {
			m.Map(l, cut, &rec, &msg) // grow the buffers and make the parsers
			if n := testing.AllocsPerRun(100, func() { m.Map(l, cut, &rec, &msg) }); n != 0 {
				t.Errorf("Map(%.20q, cut=%v): %v allocations, want 0", l, cut, n)
			}
		}
	}
}

// writeASNDB writes a GeoLite2-ASN database mapping network to asn and org.
func writeASNDB(t *testing.T, path, network string, asn uint32, org string) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := net.ParseCIDR(network)
	if err != nil {
		t.Fatal(err)
	}
	if err := tree.Insert(n, mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(asn),
		"autonomous_system_organization": mmdbtype.String(org),
	}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
