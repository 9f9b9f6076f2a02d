package streaming

import "testing"

// TestMaxSpoolLine: the spool is read with lines of max_body, and at
// least of the 25 MiB GitLab sends, so that an event the receiver took
// before max_body was lowered (a spool written under the larger value,
// read after a restart) goes out whole (fresh-user trial 283: cut to
// max_line_bytes).
func TestMaxSpoolLine(t *testing.T) {
	for _, tc := range []struct{ body, want int64 }{
		{64 << 10, GitLabMaxBody},
		{GitLabMaxBody, GitLabMaxBody},
		{GitLabMaxBody + 1, GitLabMaxBody + 1},
	} {
		r := start(t, Config{MaxBody: tc.body})
		if got := r.MaxSpoolLine(); int64(got) != tc.want {
			t.Errorf("max_body %d: MaxSpoolLine %d, want %d", tc.body, got, tc.want)
		}
	}
}
