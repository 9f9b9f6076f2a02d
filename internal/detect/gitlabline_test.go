package detect

import "testing"

// TestGitlabLine: GitLab's line is the text after the last NUL byte of an
// event's Raw, without a byte order mark after it; Raw itself without NUL.
func TestGitlabLine(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"", ""},
		{"\x00\x00\x00{\"a\":1}", `{"a":1}`},
		{"{\"part\x00\x00\ufeff{\"a\":1}", `{"a":1}`},
		{"\x00\ufeff\ufeff{\"a\":1}", `{"a":1}`},
		{"\ufeff{\"a\":1}", "\ufeff{\"a\":1}"}, // no NUL: Raw as it is
		{"{\"a\":1}\x00", ""},
	} {
		if got := gitlabLine(tc.raw); got != tc.want {
			t.Errorf("gitlabLine(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

// BenchmarkGitlabLine measures gitlabLine on an audit line without NUL
// bytes, which every event without EventID meets in Engine.duplicate.
func BenchmarkGitlabLine(b *testing.B) {
	raw := `{"severity":"INFO","time":"2024-05-31T14:00:00.421Z","correlation_id":"01HG3MRPVK4QH1CQJQGWSXVZ66","author_id":10578,"author_name":"User 10578","entity_id":11382,"entity_type":"User","created_at":"2024-05-31T14:00:00.414+00:00","custom_message":"Created personal access token with id 1020","target_id":11382,"target_type":"User","target_details":"User 11382","ip_address":"52.70.149.31","entity_path":"user11382"}`
	var n int
	for b.Loop() {
		n += len(gitlabLine(raw))
	}
	if n == 0 {
		b.Fatal("no line")
	}
}
