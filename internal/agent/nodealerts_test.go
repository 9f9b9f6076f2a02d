package agent

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInputNodeAlertsWarned: an aggregator that runs the rules warns once
// per node that sends its own alerts (APP-NAME GitLab-Detections), which
// it forwards unchanged: an alert both raise reaches the collector twice
// (fresh-user trial 267: nothing said so); with its rules off it does
// not warn.
func TestInputNodeAlertsWarned(t *testing.T) {
	const alert = `<188>1 2024-05-31T14:00:00.421Z %s GitLab-Detections - falco.pat_created [alert@32473 rule="falco.pat_created" alert_id="5205456897c71b5ee1f94e03113ed7db"] {"rule":"falco.pat_created"}`
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("detections %v", on), func(t *testing.T) {
			c := aggregatorConfig(t, "")
			c.Detections.Enabled = &on
			logs, out := new(syslogtest.Buffer), new(syslogtest.Buffer)
			a, _, stop := runInBackground(t, c, Options{Stdout: out, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			conn, err := net.Dial("tcp", inputAddr(t, a))
			if err != nil {
				t.Fatal(err)
			}
			for _, host := range []string{"node-a", "node-a", "node-b"} {
				m := fmt.Sprintf(alert, host)
				fmt.Fprintf(conn, "%d %s", len(m), m)
			}
			conn.Close()
			waitFor(t, "the alerts forwarded", 10*time.Second, func() bool { return a.inputStats()[0].Other == 3 })
			stop()
			if got := strings.Count(out.String(), "GitLab-Detections"); got != 3 {
				t.Errorf("%d alerts forwarded, want the 3 received:\n%s", got, out.String())
			}
			want := 0
			if on {
				want = 2
			}
			if got := strings.Count(logs.String(), "a node sends its own detection alerts while this agent runs the rules"); got != want {
				t.Errorf("%d warnings, want %d (one per node):\n%s", got, want, logs.String())
			}
		})
	}
}
