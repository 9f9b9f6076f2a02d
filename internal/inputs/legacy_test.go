package inputs

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// TestLegacy3164Host: RFC 3164 messages of a gitlab-syslog node (as its
// encoder writes them), and of rsyslog forwarding GitLab's files with its
// default templates (RFC 3339 or BSD timestamps; trial 229: the first went
// unnoticed, past every detection), are recognized with their HOSTNAME;
// RFC 5424 messages and other RFC 3164 senders are not.
func TestLegacy3164Host(t *testing.T) {
	enc3164 := &forwarder.Encoder{Format: forwarder.RFC3164}
	var b forwarder.Batch
	b.Append(enc3164, &forwarder.Message{Facility: forwarder.Local7, Severity: 6, Hostname: "node-1", AppName: forwarder.AppNameAudit,
		Time: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Msg: []byte(`{"severity":"INFO"}`)})
	for _, c := range []struct {
		m, host string
		ok      bool
	}{
		{string(b.Message(0)), "node-1", true},
		{`<190>Oct 17 17:38:22 node-a GitLab-Access-Logs: 1.2.3.4 - -`, "node-a", true},
		{`<190>Oct  7 17:38:22 node-b GitLab-Application-Logs[12]: x`, "node-b", true},
		{`<190>2026-12-06T20:41:33.56+00:00 node-d GitLab-Audit-Logs: {"severity":"INFO"}`, "node-d", true},
		{`<190>2026-12-06T20:41:33Z node-e GitLab-Access-Logs:1.2.3.4 - -`, "node-e", true},
		{`<38>Oct 17 17:38:24 bastion sshd[42]: Accepted publickey`, "", false},
		{`<38>2026-12-06T20:41:33.56+00:00 bastion sshd[42]: Accepted publickey`, "", false},
		{`<190>2026-12-06 node-d GitLab-Audit-Logs: {}`, "", false},
		{`<190>1 2018-10-17T17:38:22Z node-a GitLab-Audit-Logs - - - {}`, "", false},
		{`<190>Oct 17 17:38:22 node-a`, "", false},
		{`<190`, "", false},
		{``, "", false},
	} {
		host, ok := Legacy3164Host([]byte(c.m))
		if ok != c.ok || string(host) != c.host {
			t.Errorf("Legacy3164Host(%q) = %q, %v; want %q, %v", c.m, host, ok, c.host, c.ok)
		}
	}
}
