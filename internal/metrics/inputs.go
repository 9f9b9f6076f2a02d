package metrics

import "github.com/prometheus/client_golang/prometheus"

// InputStats is what one network input reports at scrape time. Counters
// count from the input's start.
type InputStats struct {
	Listen       string // the input's listen URL, the listen label
	Connections  uint64 // connections accepted
	Open         int64  // connections open now
	Messages     uint64 // messages spooled (and, over RELP, acknowledged)
	Bytes        uint64 // octets of those messages
	Refused      uint64 // connections closed at accept: max_connections reached
	Truncated    uint64 // messages over max_message_bytes, cut
	Malformed    uint64 // connections ended by a malformed frame, and frames dropped as not syslog messages
	TLSErrors    uint64 // failed TLS handshakes
	Timeouts     uint64 // connections closed by idle_timeout before the RELP open completed, or not reading responses
	IdleClosed   uint64 // established sessions closed by idle_timeout (not an error)
	Protocol     uint64 // RELP protocol errors
	SpoolErrors  uint64 // batches the spool could not write or sync
	AcceptErrors uint64 // temporary accept errors (out of file descriptors), retried
	Other        uint64 // messages with a foreign APP-NAME forwarded unchanged
	Dropped      uint64 // messages with a foreign APP-NAME dropped (other: drop)
}

var (
	descInputConnections = prometheus.NewDesc(namespace+"_input_connections_total",
		"Connections accepted by the network input.", []string{"listen"}, nil)
	descInputOpen = prometheus.NewDesc(namespace+"_input_connections_open",
		"Connections open on the network input.", []string{"listen"}, nil)
	descInputMessages = prometheus.NewDesc(namespace+"_input_messages_total",
		"Messages received by the network input and written to its spool (over RELP: acknowledged).", []string{"listen"}, nil)
	descInputBytes = prometheus.NewDesc(namespace+"_input_bytes_total",
		"Octets of the messages received by the network input and spooled.", []string{"listen"}, nil)
	descInputErrors = prometheus.NewDesc(namespace+"_input_errors_total",
		"Network input errors by reason: refused (max_connections), truncated (max_message_bytes), malformed (a frame that ended its connection, or a message that is not syslog, dropped), tls (handshake), timeout (RELP open or response write not done within idle_timeout), protocol (RELP), spool (write or fsync), accept (temporary accept error such as out of file descriptors, retried).",
		[]string{"listen", "reason"}, nil)
	descInputClosed = prometheus.NewDesc(namespace+"_input_connections_closed_total",
		"Connections the network input closed without an error, by reason: idle (an established session sent nothing for idle_timeout).",
		[]string{"listen", "reason"}, nil)
	descInputOther = prometheus.NewDesc(namespace+"_input_other_messages_total",
		"Messages whose APP-NAME is none of gitlab-syslog's, by what was done with them (forwarded unchanged, dropped).",
		[]string{"listen", "action"}, nil)
)

// SetInputs sets the function read at scrape time for the network
// inputs' metrics; nil (no inputs) reports none.
func (m *Metrics) SetInputs(f func() []InputStats) {
	m.mu.Lock()
	m.inp = f
	m.mu.Unlock()
}

// inputsCollector reads the inputs' stats at scrape time.
type inputsCollector struct{ m *Metrics }

func (c *inputsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInputConnections, descInputOpen, descInputMessages, descInputBytes, descInputErrors, descInputClosed, descInputOther} {
		ch <- d
	}
}

func (c *inputsCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	f := c.m.inp
	c.m.mu.Unlock()
	if f == nil {
		return
	}
	counter := func(d *prometheus.Desc, n uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(n), labels...)
	}
	for _, s := range f() {
		counter(descInputConnections, s.Connections, s.Listen)
		ch <- prometheus.MustNewConstMetric(descInputOpen, prometheus.GaugeValue, float64(s.Open), s.Listen)
		counter(descInputMessages, s.Messages, s.Listen)
		counter(descInputBytes, s.Bytes, s.Listen)
		for _, e := range []struct {
			reason string
			n      uint64
		}{{"refused", s.Refused}, {"truncated", s.Truncated}, {"malformed", s.Malformed}, {"tls", s.TLSErrors},
			{"timeout", s.Timeouts}, {"protocol", s.Protocol}, {"spool", s.SpoolErrors}, {"accept", s.AcceptErrors}} {
			counter(descInputErrors, e.n, s.Listen, e.reason)
		}
		counter(descInputClosed, s.IdleClosed, s.Listen, "idle")
		counter(descInputOther, s.Other, s.Listen, "forwarded")
		counter(descInputOther, s.Dropped, s.Listen, "dropped")
	}
}
