package inputs

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// nodeMessage encodes line as a node agent does (mapping and encoder).
func nodeMessage(t testing.TB, mp *mapping.Mapper, enc *forwarder.Encoder, line []byte) []byte {
	t.Helper()
	var rec parser.Record
	var msg forwarder.Message
	_ = mp.Map(line, false, &rec, &msg) // unparsable lines go out raw, as on the node
	var b forwarder.Batch
	b.Append(enc, &msg)
	return append([]byte(nil), b.Message(0)...)
}

// TestRelayReproducesNodeMessages sends every line of the sample logs
// through a node's mapping and encoder, spools the message as an input
// does, and maps the spool line with a Relay: the aggregator's message
// must be byte for byte the node's (same columns, HOSTNAME and TIMESTAMP,
// though the node read the line at another time).
func TestRelayReproducesNodeMessages(t *testing.T) {
	enc := &forwarder.Encoder{}
	files := map[string]parser.Type{
		"audit_json.log": parser.TypeAudit, "application_json.log": parser.TypeApplication,
		"application.log": parser.TypeApplication, "gitlab_access.log": parser.TypeAccess, "auth_json.log": parser.TypeAuth,
	}
	relay := NewRelay(nil, forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "aggregator"}, OtherForward)
	n := 0
	for name, typ := range files {
		node := mapping.New(typ, nil, forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "node-7",
			Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		f, err := os.Open(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			want := nodeMessage(t, node, enc, sc.Bytes())
			line := AppendLine(nil, want)
			var rec parser.Record
			var msg forwarder.Message
			out, _ := relay.Map(line[:len(line)-1], false, &rec, &msg)
			if out != Parsed && out != Raw {
				t.Fatalf("%s: outcome %d for %q", name, out, want)
			}
			var b forwarder.Batch
			b.Append(enc, &msg)
			if got := b.Message(0); string(got) != string(want) {
				t.Errorf("%s:\n got  %s\n want %s", name, got, want)
			}
			if relay.Host() != "node-7" {
				t.Errorf("Host() = %q", relay.Host())
			}
			n++
		}
		f.Close()
	}
	if n < 50 {
		t.Fatalf("only %d sample lines", n)
	}
}

func TestRelayOther(t *testing.T) {
	msgs := []string{
		`<13>1 2026-01-02T03:04:05Z host sshd 42 - [x@1 a="b"] Accepted publickey`,
		"<13>Jan  2 03:04:05 host sshd[42]: RFC 3164",
		"<13>1 - h GitLab-Audit-Logs - - - two\nlines", // base64 in the spool, still a GitLab APP-NAME
	}
	for _, other := range []string{OtherForward, OtherDrop} {
		r := NewRelay(nil, forwarder.RecordOptions{Facility: forwarder.Local7}, other)
		for _, m := range msgs[:2] {
			line := AppendLine(nil, []byte(m))
			var rec parser.Record
			var msg forwarder.Message
			out, _ := r.Map(line[:len(line)-1], false, &rec, &msg)
			want := Other
			if other == OtherDrop {
				want = Dropped
			}
			if out != want {
				t.Errorf("other: %s: %q outcome %d, want %d", other, m, out, want)
			}
			if out == Other {
				raw, sd, body := r.Message()
				if string(raw) != m || sd > len(raw) || body > len(raw) {
					t.Errorf("Message() = %q %d %d, want %q", raw, sd, body, m)
				}
			}
		}
	}
	r := NewRelay(nil, forwarder.RecordOptions{}, OtherForward)
	var rec0 parser.Record
	var msg0 forwarder.Message
	if out, _ := r.Map([]byte("=not base64!"), false, &rec0, &msg0); out != Other {
		t.Errorf("an undecodable spool line: outcome %d, want Other", out)
	} else if raw, _, _ := r.Message(); string(raw) != "=not base64!" {
		t.Errorf("an undecodable spool line is forwarded as %q, want it as it is", raw)
	}
	line := AppendLine(nil, []byte(msgs[2]))
	var rec parser.Record
	var msg forwarder.Message
	if out, err := r.Map(line[:len(line)-1], false, &rec, &msg); out != Raw || err == nil || string(msg.Msg) != "two\nlines" {
		t.Errorf("GitLab APP-NAME with an unparsable MSG: outcome %d, %v, MSG %q; want Raw with the parser's error", out, err, msg.Msg)
	}
}

// BenchmarkRelay maps a node agent's audit message as the aggregator's
// workers do: decode the spool line, parse the header, parse MSG again.
func BenchmarkRelay(b *testing.B) {
	enc := &forwarder.Encoder{}
	node := mapping.New(parser.TypeAudit, nil, forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "node-7"})
	line := []byte(`{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`)
	spool := AppendLine(nil, nodeMessage(b, node, enc, line))
	spool = spool[:len(spool)-1]
	r := NewRelay(nil, forwarder.RecordOptions{Facility: forwarder.Local7}, OtherForward)
	var rec parser.Record
	var msg forwarder.Message
	var fb forwarder.Batch
	b.ReportAllocs()
	b.SetBytes(int64(len(spool)))
	for b.Loop() {
		if out, err := r.Map(spool, false, &rec, &msg); out != Parsed {
			b.Fatal(out, err)
		}
		fb.Reset()
		fb.Append(enc, &msg)
	}
}
