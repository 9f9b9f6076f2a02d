package detect

import (
	"strings"
	"testing"
)

// TestUntimedCause: the cause names the time keys a line lacks or whose
// values are not times, quoted and cut.
func TestUntimedCause(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"time":"garbage","created_at":"bad"}`, `"time" is "garbage" and "created_at" is "bad", neither an ISO 8601 time such as 2025-03-04T12:10:00.000Z`},
		{`{"time":null}`, `"time" is null, not an ISO 8601 time such as 2025-03-04T12:10:00.000Z`},
		{`{"created_at":1709553000}`, `"created_at" is 1709553000, not an ISO 8601 time such as 2025-03-04T12:10:00.000Z`},
		{`{"message":"x"}`, `it has no "time" or "created_at"`},
		{`{"time":"` + strings.Repeat("x", 60) + `"}`, `"time" is "` + strings.Repeat("x", 39) + `…", not an ISO 8601 time`},
		{`not json`, `its time could not be read`},
	} {
		if got := UntimedCause([]byte(tc.line)); !strings.HasPrefix(got, tc.want) {
			t.Errorf("UntimedCause(%s) = %q, want it to start with %q", tc.line, got, tc.want)
		}
	}
}
