package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// TailerStats are the counters of a source's tailer, read at scrape time.
// The counters count from the tailer's start; the gauge is the current
// value.
type TailerStats struct {
	TruncatedLines   uint64 // lines cut to max_line_bytes
	Rotations        uint64 // the path was found to name a new file
	Truncations      uint64 // truncations of the file detected
	RecoveredBytes   uint64 // bytes read from rotated copies
	CheckpointErrors uint64 // checkpoint writes that failed
	UnplacedRotated  uint64 // rotated copies that may hold unread lines, not read
	// TruncationsWithoutCopy counts the truncations after which no
	// rotated copy held the file's first bytes: lines may be lost.
	TruncationsWithoutCopy uint64
	// DamagedCopies counts the rotated copies whose reading failed part
	// way or at once (a gzip copy cut short or damaged): lines are lost.
	DamagedCopies uint64
	CheckpointLag int64 // bytes of the file after the checkpoint, read or not (tailer.Stats.CheckpointLag)
}

// add adds the counters of o to s (the gauge is not a sum and stays).
func (s *TailerStats) add(o TailerStats) {
	s.TruncatedLines += o.TruncatedLines
	s.Rotations += o.Rotations
	s.Truncations += o.Truncations
	s.RecoveredBytes += o.RecoveredBytes
	s.CheckpointErrors += o.CheckpointErrors
	s.UnplacedRotated += o.UnplacedRotated
	s.TruncationsWithoutCopy += o.TruncationsWithoutCopy
	s.DamagedCopies += o.DamagedCopies
}

var (
	tailerLabels         = []string{"type", "path"}
	descLinesTruncated   = prometheus.NewDesc(namespace+"_lines_truncated_total", "Lines longer than max_line_bytes, cut to it and sent raw.", tailerLabels, nil)
	descRotations        = prometheus.NewDesc(namespace+"_rotations_total", "Times the path was found to name a new file (rename rotation, deletion).", tailerLabels, nil)
	descTruncations      = prometheus.NewDesc(namespace+"_truncations_total", "Truncations of the file detected (copytruncate, \"> file\").", tailerLabels, nil)
	descRecoveredBytes   = prometheus.NewDesc(namespace+"_recovered_bytes_total", "Bytes read from rotated copies (.1, .1.gz, dateext) after a rotation or restart.", tailerLabels, nil)
	descCheckpointErrors = prometheus.NewDesc(namespace+"_checkpoint_errors_total", "Checkpoint writes that failed (retried); see the agent's log.", tailerLabels, nil)
	descUnplacedRotated  = prometheus.NewDesc(namespace+"_rotated_files_unread_total", "Rotated copies of the file (.1, .2.gz, dateext) that may hold lines never read and were not read: the path was rotated more than once while one file was read, and their place in the rotation could not be established. The agent's log names them.", tailerLabels, nil)
	descUncopied         = prometheus.NewDesc(namespace+"_truncations_without_copy_total", "Truncations after which no rotated copy began with the file's first bytes: lines written between the last read and the truncation, if any, are lost (copies in a directory or under names not configured: give the source's olddir or extension; rotate 0; a plain \"> file\"). Alert on it; the agent's log says where copies were looked for.", tailerLabels, nil)
	descDamagedCopies    = prometheus.NewDesc(namespace+"_rotated_files_damaged_total", "Rotated copies of the file that were read to recover lines and could not be read to their end (a .gz copy cut short or damaged, or no gzip at all): the lines after the last whole line read from each were not sent. Alert on it; the agent's log names the copy and the offset its whole lines reach.", tailerLabels, nil)
	descCheckpointLag    = prometheus.NewDesc(namespace+"_checkpoint_lag_bytes", "Bytes of the file after the last checkpoint, not yet delivered, read or not: the backlog (a lower bound, the bytes read since it, when the checkpoint is in a rotated copy).", tailerLabels, nil)
	tailerCounterDescs   = []*prometheus.Desc{descLinesTruncated, descRotations, descTruncations, descRecoveredBytes, descCheckpointErrors, descUnplacedRotated, descUncopied, descDamagedCopies}
	tailerCollectorDescs = append(append([]*prometheus.Desc(nil), tailerCounterDescs...), descCheckpointLag)
)

// sourceKey is the labels of a source's metrics.
type sourceKey struct{ typ, path string }

// tailerEntry is what the collector knows of the tailers of one source:
// the counters of the ones that stopped, and the running one's stats.
type tailerEntry struct {
	base TailerStats
	read func() TailerStats // nil while no tailer runs
}

// tailers reads the tailers' counters at scrape time. A source that a
// reload restarted or removed keeps its counters: what its stopped tailers
// counted is added to what the running one counts, so rates stay right.
type tailers struct {
	mu sync.Mutex
	m  map[sourceKey]*tailerEntry
}

// set makes read the running tailer of the source typ, path. The counters
// of a tailer it replaces are kept.
func (c *tailers) set(typ, path string, read func() TailerStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(typ, path)
	if e.read != nil {
		e.base.add(e.read())
	}
	e.read = read
}

// addTruncated adds n to the truncated lines of the source typ, path.
func (c *tailers) addTruncated(typ, path string, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entry(typ, path).base.TruncatedLines += n
}

// entry returns the entry of the source typ, path, made when missing;
// c.mu must be held.
func (c *tailers) entry(typ, path string) *tailerEntry {
	if c.m == nil {
		c.m = make(map[sourceKey]*tailerEntry)
	}
	k := sourceKey{typ, path}
	e := c.m[k]
	if e == nil {
		e = &tailerEntry{}
		c.m[k] = e
	}
	return e
}

// forget drops what is known of the tailers of the source typ, path.
func (c *tailers) forget(typ, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, sourceKey{typ, path})
}

// stop keeps the counters of the source's tailer, which has stopped, and
// drops its gauge.
func (c *tailers) stop(typ, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[sourceKey{typ, path}]; e != nil && e.read != nil {
		e.base.add(e.read())
		e.read = nil
	}
}

// tailerCollector exports the tailers' counters and gauges.
type tailerCollector struct{ c *tailers }

func (tc *tailerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range tailerCollectorDescs {
		ch <- d
	}
}

func (tc *tailerCollector) Collect(ch chan<- prometheus.Metric) {
	tc.c.mu.Lock()
	defer tc.c.mu.Unlock()
	for k, e := range tc.c.m {
		s := e.base
		if e.read != nil {
			cur := e.read()
			s.add(cur)
			ch <- prometheus.MustNewConstMetric(descCheckpointLag, prometheus.GaugeValue, float64(cur.CheckpointLag), k.typ, k.path)
		}
		for i, v := range []uint64{s.TruncatedLines, s.Rotations, s.Truncations, s.RecoveredBytes, s.CheckpointErrors, s.UnplacedRotated, s.TruncationsWithoutCopy, s.DamagedCopies} {
			ch <- prometheus.MustNewConstMetric(tailerCounterDescs[i], prometheus.CounterValue, float64(v), k.typ, k.path)
		}
	}
}
