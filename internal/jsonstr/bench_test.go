package jsonstr

import "testing"

// BenchmarkAppend measures Append on a GitLab audit line (a JSON object:
// a quote every few bytes, as an alert's raw column) and on plain text
// (the values of an alert's other columns).
func BenchmarkAppend(b *testing.B) {
	for _, c := range benchInputs {
		b.Run(c.name, func(b *testing.B) {
			var dst []byte
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				dst = Append(dst[:0], c.s)
			}
		})
	}
}

// benchInputs are BenchmarkAppend's strings.
var benchInputs = []struct{ name, s string }{
	{"raw_json_line", `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","meta.caller_id":"SessionsController#create","meta.remote_ip":"208.58.198.174","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`},
	{"plain", "SessionsController#create 208.58.198.174 Administrator 2024-05-10T17:46:49.058+00:00"},
	{"column", "TargetDetails"},
	{"key", "rule"},
	{"time", "2024-05-10T17:46:49.065Z"},
}

// BenchmarkAppendMember measures AppendMember on an alert's column (name
// and value plain and short) against the member Append writes.
func BenchmarkAppendMember(b *testing.B) {
	const name, value = "TargetDetails", "Administrator"
	b.Run("AppendMember", func(b *testing.B) {
		var dst []byte
		for b.Loop() {
			dst = AppendMember(dst[:0], name, value)
		}
	})
	b.Run("Append", func(b *testing.B) {
		var dst []byte
		for b.Loop() {
			dst = Append(append(Append(append(dst[:0], ','), name), ':'), value)
		}
	})
}
