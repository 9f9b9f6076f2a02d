package forwarder

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// benchLine is a real-shaped audit_json.log line (about 600 bytes).
const benchLine = `{"severity":"INFO","time":"2026-08-22T10:00:00.123Z","correlation_id":"01J5Z8R3K6T0M4QF2W9XH7C1BD","meta.caller_id":"Projects::MembersController#create","meta.remote_ip":"203.0.113.7","meta.feature_category":"groups_and_projects","meta.user":"jane","meta.user_id":42,"meta.project":"acme/widgets","meta.root_namespace":"acme","meta.client_id":"user/42","author_id":42,"author_name":"Jane Doe","entity_id":7,"entity_type":"Project","target_id":99,"target_type":"User","target_details":"John \"JJ\" Smith","ip_address":"203.0.113.7","entity_path":"acme/widgets","custom_message":"Added member","add":"user_access","as":"Developer"}`

func benchMessage() Message {
	return Message{
		Facility: Local7, Severity: Informational, Time: t0,
		Hostname: "gitlab01.example.com", AppName: AppNameAudit, MsgID: "audit",
		Params: []parser.Field{
			{Name: "Severity", Value: []byte("INFO")},
			{Name: "EventTime", Value: []byte("2026-08-22T10:00:00.123Z")},
			{Name: "CorrelationID", Value: []byte("01J5Z8R3K6T0M4QF2W9XH7C1BD")},
			{Name: "AuthorID", Value: []byte("42")},
			{Name: "AuthorName", Value: []byte("Jane Doe")},
			{Name: "EntityID", Value: []byte("7")},
			{Name: "EntityType", Value: []byte("Project")},
			{Name: "TargetID", Value: []byte("99")},
			{Name: "TargetType", Value: []byte("User")},
			{Name: "TargetDetails", Value: []byte(`John "JJ" Smith`)},
			{Name: "IPAddress", Value: []byte("203.0.113.7")},
			{Name: "EntityPath", Value: []byte("acme/widgets")},
			{Name: "CustomMessage", Value: []byte("Added member")},
			{Name: "meta.caller_id", Value: []byte("Projects::MembersController#create")},
		},
		Msg: []byte(benchLine),
	}
}

func BenchmarkEncode(b *testing.B) {
	var e Encoder
	m := benchMessage()
	buf := make([]byte, 0, 4096)
	buf = e.Append(buf, &m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = e.Append(buf[:0], &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkBatchAppend(b *testing.B) {
	var e Encoder
	m := benchMessage()
	var batch Batch
	b.ReportAllocs()
	for b.Loop() {
		if batch.Len() == 1024 {
			batch.Reset()
		}
		batch.Append(&e, &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
