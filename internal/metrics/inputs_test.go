package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestInputs: nothing is exported without inputs; each input's counters
// are series labelled with its listen URL, errors by reason.
func TestInputs(t *testing.T) {
	m := New()
	if n, err := testutil.GatherAndCount(m.Registry(), "gitlab_syslog_input_messages_total"); err != nil || n != 0 {
		t.Fatalf("no inputs: %d series (err %v), want none", n, err)
	}
	m.SetInputs(func() []InputStats {
		return []InputStats{{Listen: "relp://:2514", Connections: 3, Open: 2, Messages: 100, Bytes: 7000,
			Refused: 1, Truncated: 2, Malformed: 3, TLSErrors: 4, Timeouts: 5, Protocol: 6, SpoolErrors: 7, AcceptErrors: 10, IdleClosed: 11, Other: 8, Dropped: 9}}
	})
	want := `
# HELP gitlab_syslog_input_errors_total Network input errors by reason: refused (max_connections), truncated (max_message_bytes), malformed (a frame that ended its connection, or a message that is not syslog, dropped), tls (handshake), timeout (RELP open or response write not done within idle_timeout), protocol (RELP), spool (write or fsync), accept (temporary accept error such as out of file descriptors, retried).
# TYPE gitlab_syslog_input_errors_total counter
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="accept"} 10
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="malformed"} 3
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="protocol"} 6
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="refused"} 1
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="spool"} 7
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="timeout"} 5
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="tls"} 4
gitlab_syslog_input_errors_total{listen="relp://:2514",reason="truncated"} 2
# HELP gitlab_syslog_input_connections_closed_total Connections the network input closed without an error, by reason: idle (an established session sent nothing for idle_timeout).
# TYPE gitlab_syslog_input_connections_closed_total counter
gitlab_syslog_input_connections_closed_total{listen="relp://:2514",reason="idle"} 11
# HELP gitlab_syslog_input_messages_total Messages received by the network input and written to its spool (over RELP: acknowledged).
# TYPE gitlab_syslog_input_messages_total counter
gitlab_syslog_input_messages_total{listen="relp://:2514"} 100
# HELP gitlab_syslog_input_connections_open Connections open on the network input.
# TYPE gitlab_syslog_input_connections_open gauge
gitlab_syslog_input_connections_open{listen="relp://:2514"} 2
# HELP gitlab_syslog_input_other_messages_total Messages whose APP-NAME is none of gitlab-syslog's, by what was done with them (forwarded unchanged, dropped).
# TYPE gitlab_syslog_input_other_messages_total counter
gitlab_syslog_input_other_messages_total{action="dropped",listen="relp://:2514"} 9
gitlab_syslog_input_other_messages_total{action="forwarded",listen="relp://:2514"} 8
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "gitlab_syslog_input_errors_total", "gitlab_syslog_input_connections_closed_total",
		"gitlab_syslog_input_messages_total", "gitlab_syslog_input_connections_open", "gitlab_syslog_input_other_messages_total"); err != nil {
		t.Error(err)
	}
}
