package parser

import "testing"

// Representative lines for the benchmarks.
var (
	benchAudit = []byte(`{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","meta.caller_id":"SessionsController#create","meta.remote_ip":"208.58.198.174","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`)
	// benchAuditNested is a current-shape line: details nested and flattened.
	benchAuditNested = []byte(`{"severity":"INFO","time":"2024-06-03T09:12:44.301Z","correlation_id":"01HZG3K9D2W7Q1V8X5M4N6P0RT","meta.caller_id":"ProjectsController#update","meta.user":"root","meta.client_id":"user/1","id":123,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"change":"visibility_level","event_name":"project_visibility_level_updated","from":"Private","to":"Internal","author_name":"Administrator","target_id":7,"target_type":"Project","target_details":"group/proj","ip_address":"10.0.0.1","entity_path":"group/proj"},"ip_address":"10.0.0.1","author_name":"Administrator","entity_path":"group/proj","target_details":"group/proj","created_at":"2024-06-03T09:12:44.295Z","target_type":"Project","target_id":7,"change":"visibility_level","from":"Private","to":"Internal"}`)
	benchAppJSON     = []byte(`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","correlation_id":"01HZ7H2EJ8HC6DDJRA73B7G325","meta.caller_id":"SessionsController#new","meta.remote_ip":"192.168.65.1","meta.feature_category":"system_access","meta.client_id":"ip/192.168.65.1","message":"Failed Login: username=test ip=192.168.65.1"}`)
	benchAppText     = []byte(`2020-04-09T14:15:09.344Z: Failed Login: username=user name ip=80.10.11.12`)
	benchAuth        = []byte(`{"severity":"ERROR","time":"2025-03-02T11:09:47.306Z","correlation_id":"01JNE83BR5A7S9D1F3G5H7J9KM","message":"Rack_Attack","env":"throttle","remote_ip":"192.0.2.10","request_method":"GET","path":"/api/v4/projects?per_page=100&page=37","matched":"throttle_authenticated_api","status":429,"user_id":42,"meta.user":"ci-bot","rack_attack_redis_count":2,"rack_attack_redis_duration_s":0.000731}`)
	benchAccess      = []byte(`10.14.188.100 - Username for 'http [24/May/2024:00:11:01 +0800] "GET /internal/demo-test.git/info/refs?service=git-upload-pack HTTP/1.1" 401 279 "https://gitlab.example.com/internal/demo-test" "git/2.39.2.windows.1" -`)
)

func benchParse(b *testing.B, p Parser, line []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	var r Record
	if err := p.Parse(line, &r); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := p.Parse(line, &r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkAudit(b *testing.B)             { benchParse(b, new(Audit), benchAudit) }
func BenchmarkAuditNested(b *testing.B)       { benchParse(b, new(Audit), benchAuditNested) }
func BenchmarkApplicationJSON(b *testing.B)   { benchParse(b, new(Application), benchAppJSON) }
func BenchmarkApplicationText(b *testing.B)   { benchParse(b, new(Application), benchAppText) }
func BenchmarkAccess(b *testing.B)            { benchParse(b, new(Access), benchAccess) }
func BenchmarkAuth(b *testing.B)              { benchParse(b, new(Auth), benchAuth) }
func BenchmarkDetect(b *testing.B)            { benchDetect(b, benchAccess) }
func BenchmarkDetectAudit(b *testing.B)       { benchDetect(b, benchAudit) }
func BenchmarkDetectApplication(b *testing.B) { benchDetect(b, benchAppText) }
func BenchmarkDetectAuth(b *testing.B)        { benchDetect(b, benchAuth) }

func benchDetect(b *testing.B, line []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if Detect(line) == TypeUnknown {
			b.Fatal("unknown")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
