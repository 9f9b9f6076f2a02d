// Package metrics holds the agent's Prometheus metrics on a registry of its
// own (never the global default registry) and serves /metrics and /healthz.
package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const namespace = "gitlab_syslog"

// Metrics is the set of metrics of one agent process.
type Metrics struct {
	reg *prometheus.Registry

	linesRead      *prometheus.CounterVec
	linesSent      *prometheus.CounterVec
	parseFailures  *prometheus.CounterVec
	linesTruncated *prometheus.CounterVec
	bytesRead      *prometheus.CounterVec
	rotations      *prometheus.CounterVec
	truncations    *prometheus.CounterVec
	recovered      *prometheus.CounterVec
	ckErrors       *prometheus.CounterVec
	checkpointLag  *prometheus.GaugeVec
	sourceUp       *prometheus.GaugeVec

	mu  sync.Mutex
	str func() StreamingStats // read at scrape time
	fwd func() ForwarderStats // read at scrape time
	det func() DetectStats    // read at scrape time
}

// ForwarderStats is what the forwarder reports at scrape time.
type ForwarderStats struct {
	Connected  bool
	Reconnects uint64 // connections re-established after a failure
	QueueDepth int    // batches waiting to be written
	Sent       uint64 // messages written to the transport
	Dropped    uint64 // messages the forwarder could not deliver and gave up on
	Resent     uint64 // messages written again after a reconnect: possible duplicates
}

// Source holds the metric children of one source, looked up once so that
// the hot path only adds to counters.
type Source struct {
	LinesRead      prometheus.Counter
	LinesSent      prometheus.Counter
	ParseFailures  prometheus.Counter
	LinesTruncated prometheus.Counter
	BytesRead      prometheus.Counter
	// Rotations, Truncations, RecoveredBytes and CheckpointErrors follow
	// the tailer's counters of the same names.
	Rotations        prometheus.Counter
	Truncations      prometheus.Counter
	RecoveredBytes   prometheus.Counter
	CheckpointErrors prometheus.Counter
	CheckpointLag    prometheus.Gauge
	Up               prometheus.Gauge
}

// New returns the metrics, registered on a new registry together with the Go
// and process collectors.
func New() *Metrics {
	labels := []string{"type", "path"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		reg:            prometheus.NewRegistry(),
		linesRead:      counter("lines_read_total", "Lines read from the source file."),
		linesSent:      counter("lines_sent_total", "Lines written to the collector and acknowledged by the transport."),
		parseFailures:  counter("parse_failures_total", "Lines that did not parse; they are forwarded raw, without structured data."),
		linesTruncated: counter("lines_truncated_total", "Lines longer than max_line_bytes, truncated."),
		bytesRead:      counter("bytes_read_total", "Bytes read from the source file, newlines included."),
		rotations:      counter("rotations_total", "Times the path was found to name a new file (rename rotation, deletion)."),
		truncations:    counter("truncations_total", "Truncations of the file detected (copytruncate, \"> file\")."),
		recovered:      counter("recovered_bytes_total", "Bytes read from rotated copies (.1, .1.gz, dateext) after a rotation or restart."),
		ckErrors:       counter("checkpoint_errors_total", "Checkpoint writes that failed (retried); see the agent's log."),
		checkpointLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "checkpoint_lag_bytes",
			Help: "Bytes of the current file after the last checkpoint: read or not yet delivered."}, labels),
		sourceUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "source_up",
			Help: "1 while the source's tailer runs, 0 when it stopped with an error."}, labels),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.linesRead, m.linesSent, m.parseFailures, m.linesTruncated, m.bytesRead, m.checkpointLag, m.sourceUp,
		m.rotations, m.truncations, m.recovered, m.ckErrors,
		&streamingCollector{m: m},
		&forwarderCollector{m: m},
		&detectCollector{m: m},
	)
	return m
}

// Registry returns the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Source returns the metrics of the source of type typ following path.
func (m *Metrics) Source(typ, path string) *Source {
	return &Source{
		LinesRead:        m.linesRead.WithLabelValues(typ, path),
		LinesSent:        m.linesSent.WithLabelValues(typ, path),
		ParseFailures:    m.parseFailures.WithLabelValues(typ, path),
		LinesTruncated:   m.linesTruncated.WithLabelValues(typ, path),
		BytesRead:        m.bytesRead.WithLabelValues(typ, path),
		Rotations:        m.rotations.WithLabelValues(typ, path),
		Truncations:      m.truncations.WithLabelValues(typ, path),
		RecoveredBytes:   m.recovered.WithLabelValues(typ, path),
		CheckpointErrors: m.ckErrors.WithLabelValues(typ, path),
		CheckpointLag:    m.checkpointLag.WithLabelValues(typ, path),
		Up:               m.sourceUp.WithLabelValues(typ, path),
	}
}

// RemoveSource drops the gauges of a source that a reload removed. Its
// counters stay, so that rates over the reload remain correct.
func (m *Metrics) RemoveSource(typ, path string) {
	m.checkpointLag.DeleteLabelValues(typ, path)
	m.sourceUp.DeleteLabelValues(typ, path)
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
	descReconnect = prometheus.NewDesc(namespace+"_reconnects_total", "Connections to the collector re-established after a failure.", nil, nil)
	descQueue     = prometheus.NewDesc(namespace+"_queue_depth", "Batches queued in the forwarder, waiting to be written.", nil, nil)
	descSent      = prometheus.NewDesc(namespace+"_messages_sent_total", "Syslog messages written to the transport.", nil, nil)
	descDropped   = prometheus.NewDesc(namespace+"_messages_dropped_total", "Syslog messages the forwarder gave up on.", nil, nil)
	descResent    = prometheus.NewDesc(namespace+"_duplicates_total", "Messages written again after a reconnect or restart: possible duplicates at the collector.", nil, nil)
)

// forwarderCollector reads the forwarder's stats at scrape time.
type forwarderCollector struct{ m *Metrics }

func (c *forwarderCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnected, descReconnect, descQueue, descSent, descDropped, descResent} {
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
}
