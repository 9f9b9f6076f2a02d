package container

import (
	"encoding/json"
	"testing"
	"time"
)

var benchAudit = `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","meta.caller_id":"SessionsController#create","meta.remote_ip":"208.58.198.174","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`

func benchDecode(b *testing.B, f Format, line []byte) {
	d := Decoder{Format: f}
	if _, st, err := d.Decode(line); st != Complete || err != nil {
		b.Fatal(st, err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		d.Decode(line)
	}
}

func BenchmarkDecodeCRIEnvelope(b *testing.B) {
	env := loggerLine("audit_json", benchAudit, time.Unix(0, 0).UTC())
	benchDecode(b, CRI, []byte("2024-05-01T12:00:00.123456789Z stdout F "+env))
}

func BenchmarkDecodeCRIText(b *testing.B) {
	env := loggerLine("application", "2020-04-09T14:15:09.344Z: Failed Login: username=admin ip=80.10.11.12", time.Unix(0, 0).UTC())
	benchDecode(b, CRI, []byte("2024-05-01T12:00:00.123456789Z stdout F "+env))
}

func BenchmarkDecodeDockerEnvelope(b *testing.B) {
	log, _ := json.Marshal(loggerLine("audit_json", benchAudit, time.Unix(0, 0).UTC()) + "\n")
	benchDecode(b, Docker, []byte(`{"log":`+string(log)+`,"stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`))
}

func BenchmarkDecodeAutoCRI(b *testing.B) {
	env := loggerLine("audit_json", benchAudit, time.Unix(0, 0).UTC())
	benchDecode(b, Auto, []byte("2024-05-01T12:00:00.123456789Z stdout F "+env))
}
