package agent

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestAbandonedLogsInFlight: the one warning of alerts not delivered says
// how many were still in flight, which a closing sink abandons too, not
// only those of the first batch abandoned (fresh-user trial 54: alerts=1
// with 40 pending; trial 58: alerts=1 beside in_flight=9 was unclear, so
// only in_flight is given).
func TestAbandonedLogsInFlight(t *testing.T) {
	var buf bytes.Buffer
	d := &detector{log: slog.New(slog.NewTextHandler(&buf, nil))}
	d.pending.Store(40)
	d.abandoned(1)
	d.abandoned(39)
	if n := strings.Count(buf.String(), "detection alerts not delivered"); n != 1 || !strings.Contains(buf.String(), " in_flight=40") || strings.Contains(buf.String(), "alerts=1") {
		t.Errorf("%d warnings, want one with in_flight=40 and not the first batch's alerts=1:\n%s", n, buf.String())
	}
}
