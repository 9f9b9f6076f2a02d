// Package metrics holds the agent's Prometheus metrics on a registry of its
// own (never the global default registry) and serves /metrics and /healthz.
package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const namespace = "gitlab_syslog"

// Metrics is the set of metrics of one agent process.
type Metrics struct {
	reg *prometheus.Registry

	linesRead     *prometheus.CounterVec
	linesSent     *prometheus.CounterVec
	parseFailures *prometheus.CounterVec
	bytesRead     *prometheus.CounterVec
	linesDropped  *prometheus.CounterVec
	linesBlank    *prometheus.CounterVec
	unwrapErrors  *prometheus.CounterVec
	sourceUp      *prometheus.GaugeVec
	reloadOK      prometheus.Gauge
	reloadTime    prometheus.Gauge
	tailers       tailers // read at scrape time

	mu  sync.Mutex
	str func() StreamingStats // read at scrape time
	fwd func() ForwarderStats // read at scrape time
	det func() DetectStats    // read at scrape time
	inp func() []InputStats   // read at scrape time
}

// ForwarderStats is what the forwarder reports at scrape time.
type ForwarderStats struct {
	Connected  bool   // a connection is held: 0 from a lost one until it reconnects
	Reconnects uint64 // connections re-established after a failure
	QueueDepth int    // batches waiting to be written
	Sent       uint64 // messages written to the transport
	Dropped    uint64 // messages the forwarder could not deliver and gave up on
	Resent     uint64 // messages written again after a reconnect: possible duplicates
	Truncated  uint64 // messages over max_message_bytes, cut to fit a datagram
	// Unacknowledged is how long the batches sent have waited without
	// any acknowledgement; 0 while none wait.
	Unacknowledged time.Duration
	// Changes are what the encoder changed to keep the messages valid
	// RFC 5424 (forwarder.EncoderStats): header fields clamped, SD names
	// written in their short form, STRUCTURED-DATA values whose invalid
	// UTF-8 was replaced, byte order marks removed from MSG, times
	// outside the years 0000-9999 written as "-"; and messages whose line
	// breaks (LF, CR) were made spaces for newline framing or stdout
	// (forwarder.Stats.Escaped), and messages sent without their
	// STRUCTURED-DATA because with it they were over the stream limit
	// (forwarder.EncoderStats.SDDropped).
	Clamped, ShortNames, Repaired, BOMs, Timestamps, Escaped, SDDropped uint64
}

// Source holds the metric children of one source, looked up once so that
// the hot path only adds to counters. The tailer's counters are read at
// scrape time from the function given to SetTailer.
type Source struct {
	LinesRead     prometheus.Counter
	LinesSent     prometheus.Counter
	ParseFailures prometheus.Counter
	BytesRead     prometheus.Counter
	// LinesDropped counts lines not sent on purpose: gitlab-logger
	// subcomponents without a parser (other_subcomponents: drop).
	LinesDropped prometheus.Counter
	// UnwrapErrors counts container records and gitlab-logger envelopes
	// that could not be decoded, and the parts of a line whose last part
	// never came; they are sent raw.
	UnwrapErrors prometheus.Counter
	// LinesBlank counts lines skipped as blank: empty, or white space and
	// byte order marks only (parser.Blank).
	LinesBlank prometheus.Counter
	Up         prometheus.Gauge

	typ, path string
	tailers   *tailers
}

// SetTailer sets the function read at scrape time for the counters of the
// source's running tailer: lines_truncated_total, rotations_total,
// truncations_total, recovered_bytes_total, checkpoint_errors_total,
// rotated_files_unread_total, truncations_without_copy_total,
// rotated_files_damaged_total and checkpoint_lag_bytes. read must be safe for concurrent use. The counters
// of a tailer that ran before for the same type and path (before a reload)
// are kept and added.
func (s *Source) SetTailer(read func() TailerStats) { s.tailers.set(s.typ, s.path, read) }

// AddTruncated counts n lines cut to max_line_bytes other than by the
// tailer (a container line cut when its parts were joined) in
// lines_truncated_total, with those the tailer counts.
func (s *Source) AddTruncated(n uint64) { s.tailers.addTruncated(s.typ, s.path, n) }

// New returns the metrics, registered on a new registry together with the Go
// and process collectors.
func New() *Metrics {
	labels := []string{"type", "path"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		reg:           prometheus.NewRegistry(),
		linesRead:     counter("lines_read_total", "Lines read from the source file."),
		linesSent:     counter("lines_sent_total", "Lines written to the collector and acknowledged by the transport."),
		parseFailures: counter("parse_failures_total", "Lines forwarded raw, without structured data: they did not parse, or were cut to max_line_bytes."),
		bytesRead:     counter("bytes_read_total", "Bytes read from the source file, newlines included."),
		linesDropped: counter("lines_dropped_total", "Lines not sent on purpose: gitlab-logger subcomponents without a parser, and "+
			"lines not wrapped by it in a source without type (other_subcomponents: drop)."),
		linesBlank:   counter("lines_blank_total", "Lines skipped as blank, not sent: empty, or white space and byte order marks only."),
		unwrapErrors: counter("unwrap_errors_total", "Container runtime records (CRI, Docker json-file) and gitlab-logger envelopes that could not be decoded, and parts of a line whose last part never came; sent raw."),
		sourceUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "source_up",
			Help: "1 while the source's tailer runs and can open its file, 0 when it stopped with an error or while the file at its path cannot be opened (no permission, a directory there), which it retries."}, labels),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "config_last_reload_successful",
			Help: "1 when the last load of the configuration (the start, or a SIGHUP) was applied, 0 when a SIGHUP's file was refused and the running configuration kept."}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "config_last_reload_success_timestamp_seconds",
			Help: "Unix time the configuration running was loaded (the start, or the last SIGHUP applied)."}),
	}
	m.ReloadResult(true, time.Now())
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.linesRead, m.linesSent, m.parseFailures, m.bytesRead, m.linesDropped, m.linesBlank, m.unwrapErrors, m.sourceUp, m.reloadOK, m.reloadTime,
		&tailerCollector{c: &m.tailers},
		&streamingCollector{m: m},
		&forwarderCollector{m: m},
		&detectCollector{m: m},
		&inputsCollector{m: m},
	)
	return m
}

// ReloadResult records a load of the configuration at now: applied (ok),
// or refused with the running configuration kept, in
// config_last_reload_successful and, when applied,
// config_last_reload_success_timestamp_seconds (as Prometheus' own
// prometheus_config_last_reload_successful). New records the start as
// applied.
func (m *Metrics) ReloadResult(ok bool, now time.Time) {
	if !ok {
		m.reloadOK.Set(0)
		return
	}
	m.reloadOK.Set(1)
	m.reloadTime.Set(float64(now.UnixNano()) / 1e9)
}

// Registry returns the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Source returns the metrics of the source of type typ following path.
func (m *Metrics) Source(typ, path string) *Source {
	return &Source{
		LinesRead:     m.linesRead.WithLabelValues(typ, path),
		LinesSent:     m.linesSent.WithLabelValues(typ, path),
		ParseFailures: m.parseFailures.WithLabelValues(typ, path),
		BytesRead:     m.bytesRead.WithLabelValues(typ, path),
		LinesDropped:  m.linesDropped.WithLabelValues(typ, path),
		UnwrapErrors:  m.unwrapErrors.WithLabelValues(typ, path),
		LinesBlank:    m.linesBlank.WithLabelValues(typ, path),
		Up:            m.sourceUp.WithLabelValues(typ, path),
		typ:           typ, path: path, tailers: &m.tailers,
	}
}

// RemoveSource drops the gauges of a source whose tailer stopped (a reload
// removed or restarted it, or the agent stops) and stops reading its
// tailer. Its counters stay, so that rates over the reload remain correct.
func (m *Metrics) RemoveSource(typ, path string) {
	m.tailers.stop(typ, path)
	m.sourceUp.DeleteLabelValues(typ, path)
}

// ForgetSource deletes every series of a source that is gone for good (a
// glob's file deleted and fully sent): its counters and those of its
// tailers as well as its gauges, so that a pod's churn does not grow
// /metrics. Call it once the source's tailer stopped. A new file at the
// same path starts its counters from zero.
func (m *Metrics) ForgetSource(typ, path string) {
	m.tailers.forget(typ, path)
	for _, v := range []interface {
		DeleteLabelValues(...string) bool
	}{m.linesRead, m.linesSent, m.parseFailures, m.bytesRead, m.linesDropped, m.linesBlank, m.unwrapErrors, m.sourceUp} {
		v.DeleteLabelValues(typ, path)
	}
}

// SetForwarder sets the function read at scrape time for the forwarder's
// metrics; nil reports nothing.
func (m *Metrics) SetForwarder(f func() ForwarderStats) {
	m.mu.Lock()
	m.fwd = f
	m.mu.Unlock()
}

var (
	descConnected = prometheus.NewDesc(namespace+"_forwarder_connected", "1 when the forwarder has a connection to the collector.", nil, nil)
	descReconnect = prometheus.NewDesc(namespace+"_reconnects_total", "Connections to the collector re-established after one was lost (not a first connection after failed attempts).", nil, nil)
	descQueue     = prometheus.NewDesc(namespace+"_queue_depth", "Batches queued in the forwarder, waiting to be written.", nil, nil)
	descSent      = prometheus.NewDesc(namespace+"_messages_sent_total", "Syslog messages written to the transport.", nil, nil)
	descDropped   = prometheus.NewDesc(namespace+"_messages_dropped_total", "Syslog messages the forwarder gave up on.", nil, nil)
	descResent    = prometheus.NewDesc(namespace+"_duplicates_total", "Messages written again after a reconnect (those written but not acknowledged before the connection was lost): possible duplicates at the collector. Lines sent again after a restart, from the checkpoint on, are not counted.", nil, nil)
	descTruncated = prometheus.NewDesc(namespace+"_messages_truncated_total", "Syslog messages longer than max_message_bytes, cut to fit a datagram (udp://, unix datagram): STRUCTURED-DATA dropped, or MSG cut.", nil, nil)
	descChanges   = prometheus.NewDesc(namespace+"_encoder_changes_total", "Changes the encoder made to keep messages valid RFC 5424, by kind: header_clamped (a header field shortened or its bytes outside printable US-ASCII made '_'), sd_name_short (an SD name written in its short form), utf8_repaired (a STRUCTURED-DATA value whose invalid UTF-8 was replaced by U+FFFD), bom_removed (a byte order mark removed from MSG), timestamp_nil (a time outside the years 0000-9999 written as -), line_breaks_spaced (a message whose line breaks, LF and CR, were made spaces for newline framing or standard output), sd_dropped_too_long (a message sent without its STRUCTURED-DATA, MSG whole, because with it it was over max_stream_message_bytes).", []string{"change"}, nil)
	descUnacked   = prometheus.NewDesc(namespace+"_forwarder_unacknowledged_seconds", "Seconds the batches sent have waited without any acknowledgement from the collector, 0 while none wait: alert on it (a collector that accepts the connection and reads nothing shows here, not in forwarder_connected).", nil, nil)
)

// forwarderCollector reads the forwarder's stats at scrape time.
type forwarderCollector struct{ m *Metrics }

func (c *forwarderCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnected, descReconnect, descQueue, descSent, descDropped, descResent, descTruncated, descChanges, descUnacked} {
		ch <- d
	}
}

func (c *forwarderCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	f := c.m.fwd
	c.m.mu.Unlock()
	if f == nil {
		return
	}
	s := f()
	connected := 0.0
	if s.Connected {
		connected = 1
	}
	ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, connected)
	ch <- prometheus.MustNewConstMetric(descReconnect, prometheus.CounterValue, float64(s.Reconnects))
	ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(s.QueueDepth))
	ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(s.Sent))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(s.Dropped))
	ch <- prometheus.MustNewConstMetric(descResent, prometheus.CounterValue, float64(s.Resent))
	ch <- prometheus.MustNewConstMetric(descTruncated, prometheus.CounterValue, float64(s.Truncated))
	for _, c := range []struct {
		n    uint64
		kind string
	}{{s.Clamped, "header_clamped"}, {s.ShortNames, "sd_name_short"}, {s.Repaired, "utf8_repaired"}, {s.BOMs, "bom_removed"}, {s.Timestamps, "timestamp_nil"}, {s.Escaped, "line_breaks_spaced"}, {s.SDDropped, "sd_dropped_too_long"}} {
		ch <- prometheus.MustNewConstMetric(descChanges, prometheus.CounterValue, float64(c.n), c.kind)
	}
	ch <- prometheus.MustNewConstMetric(descUnacked, prometheus.GaugeValue, s.Unacknowledged.Seconds())
}
