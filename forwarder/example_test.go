package forwarder_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func ExampleEncoder_Append() {
	line := []byte(`{"severity":"INFO","author_name":"Jane \"JJ\" Doe","entity_type":"Project"}`)
	rec := parser.Record{
		Type: parser.TypeAudit,
		Time: time.Date(2026, 8, 22, 10, 0, 0, 123456789, time.UTC),
		Fields: []parser.Field{
			{Name: "Severity", Value: []byte("INFO")},
			{Name: "AuthorName", Value: []byte(`Jane "JJ" Doe`)},
			{Name: "EntityType", Value: []byte("Project")},
		},
	}
	opts := forwarder.DefaultRecordOptions("gitlab01.example.com")
	var m forwarder.Message
	m.FromRecord(&rec, line, &opts)

	var e forwarder.Encoder
	fmt.Println(string(e.Append(nil, &m)))
	// Output:
	// <190>1 2026-08-22T10:00:00.123456Z gitlab01.example.com GitLab-Audit-Logs - audit [gitlab@32473 Severity="INFO" AuthorName="Jane \"JJ\" Doe" EntityType="Project"] {"severity":"INFO","author_name":"Jane \"JJ\" Doe","entity_type":"Project"}
}

// The meta.* columns of a parsed line go into their own element under the
// name that follows "meta.", so the 33-character Labkit key
// meta.artifacts_dependencies_count arrives whole.
func ExampleEncoder_Append_meta() {
	line := []byte(`{"severity":"INFO","time":"2024-06-03T09:12:44.512Z","meta.caller_id":"POST /api/:version/jobs/request","meta.artifacts_dependencies_count":3,"message":"Job dependencies resolved"}`)
	var rec parser.Record
	if err := new(parser.Application).Parse(line, &rec); err != nil {
		panic(err)
	}
	opts := forwarder.DefaultRecordOptions("gitlab01.example.com")
	var m forwarder.Message
	m.FromRecord(&rec, line, &opts)

	e := forwarder.Encoder{SDID: "gitlab@99999"}
	fmt.Println(string(e.Append(nil, &m)))
	// Output:
	// <190>1 2024-06-03T09:12:44.512000Z gitlab01.example.com GitLab-Application-Logs - application [gitlab@99999 Severity="INFO" EventTime="2024-06-03T09:12:44.512Z" Message="Job dependencies resolved"][meta@99999 caller_id="POST /api/:version/jobs/request" artifacts_dependencies_count="3"] {"severity":"INFO","time":"2024-06-03T09:12:44.512Z","meta.caller_id":"POST /api/:version/jobs/request","meta.artifacts_dependencies_count":3,"message":"Job dependencies resolved"}
}

func ExampleForwarder() {
	enc := &forwarder.Encoder{}
	f, err := forwarder.New(forwarder.Config{URL: "tcp://127.0.0.1:514", Encoder: enc})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b forwarder.Batch
	b.Append(enc, &forwarder.Message{Facility: forwarder.Local7, Severity: forwarder.Informational, Msg: []byte("hello")})
	// ack runs once the batch was written to the socket; only then may b
	// be reused, and a tailer may advance its checkpoint.
	_ = f.Send(context.Background(), &b, func(err error) {})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = f.Close(ctx)
}
