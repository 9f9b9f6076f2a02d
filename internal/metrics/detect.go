package metrics

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RuleFile is the state of a rule's own file (detect.FileReport).
type RuleFile struct {
	Entries  int       // entries the rule matches with
	Usable   bool      // the file, as last looked at, could be read and gave entries
	Modified time.Time // modification time of the file the entries came from; zero: none
}

// DetectStats is what the detection engine reports at scrape time. Counters
// count from the start of the process; a reload that rebuilds the engine
// must carry them over (the agent adds the old engine's totals).
type DetectStats struct {
	// Rules holds the counters of each rule, by rule id.
	Rules map[string]RuleStats
	// Files describes the own file of each rule that reads one (the TI
	// rule's ti_file), by rule id.
	Files map[string]RuleFile
	// DedupeDrops counts events dropped as already seen (the same EventID
	// from the file and the stream, a repeated delivery, a line re-read
	// after a restart).
	DedupeDrops uint64
	// LateEvents counts events older than the watermark when they arrived
	// (folded when their window was still held, else dropped by the rule).
	LateEvents uint64
	// FutureEvents counts events dated more than detect.LiveMaxAhead
	// after the clock, or ahead of the lines on both sides of them in
	// their file (detect.Event.Outlier): they neither move the watermark
	// nor reach the windowed rules.
	FutureEvents uint64
	// ReorderOverflow counts events the full reorder buffer gave the
	// order-dependent rules before the sources read behind reached their
	// time (they may then be decided out of time order).
	ReorderOverflow uint64
	// UntimedEvents counts events a rule wanted whose time is missing or
	// unreadable: the rules, which decide in event time, do not evaluate
	// them (their lines are forwarded as usual).
	UntimedEvents uint64
	// StateSaveErrors counts failed writes of the engine's state.
	StateSaveErrors uint64
	// AlertsFitted counts the alerts longer than the destination's message
	// size limit (max_message_bytes for datagrams, max_stream_message_bytes
	// for streams) that were made to fit it, by how.
	AlertsFitted AlertsFitted
	// AlertsPending is the number of alerts handed to the forwarder and not
	// yet acknowledged.
	AlertsPending int
	// LastSave is when the engine's state was last saved; zero before the
	// first save of this process.
	LastSave time.Time
}

// AlertsFitted counts alerts made to fit the destination's message size
// limit, by how (see the README's "Alerts on the wire").
type AlertsFitted struct {
	SDDropped uint64 // sent without STRUCTURED-DATA, the JSON (MSG) whole
	Shortened uint64 // the JSON shortened, valid, STRUCTURED-DATA kept or dropped
	Cut       uint64 // too long even shortened: sent without STRUCTURED-DATA, the JSON cut (invalid)
}

// Add returns the sums of a's and b's counters.
func (a AlertsFitted) Add(b AlertsFitted) AlertsFitted {
	return AlertsFitted{SDDropped: a.SDDropped + b.SDDropped, Shortened: a.Shortened + b.Shortened, Cut: a.Cut + b.Cut}
}

// RuleStats are the counters of one rule.
type RuleStats struct {
	Alerts   uint64 // alerts sent (after suppression; not those a catch-up after a crash raised again and dropped)
	Events   uint64 // events the rule evaluated (after dedupe)
	Fallback uint64 // lines without EventName matched by the rule's fallback predicate
	Evicted  uint64 // keys evicted oldest-first at the rule's max_keys
	LiveKeys int    // keys the rule holds state for now
	// LateDropped counts the events the rule dropped because the window,
	// day or session they belong to had already closed.
	LateDropped uint64
	// LookBackEvicted counts the lines dropped, oldest first, from the
	// rule's look-back (sentinel.impersonation: actions read before their
	// session's start) at its cap: an action among them whose start is
	// read later is not attributed.
	LookBackEvicted uint64
	// Skipped counts the events a GeoIP rule passed over because their
	// address has no country (private, reserved, or not in the database).
	Skipped uint64
}

var (
	ruleLabel             = []string{"rule"}
	descDetectAlerts      = prometheus.NewDesc(namespace+"_detect_alerts_total", "Alerts the detection rule raised and handed to the forwarder (after suppression; not those raised again when catching up after a crash and dropped as delivered; one the forwarder gave up on, at a reload that changed forward, is counted again when raised again); those not yet acknowledged by the collector are in detect_alerts_pending.", ruleLabel, nil)
	descDetectEvents      = prometheus.NewDesc(namespace+"_detect_events_total", "Events the detection rule evaluated (after deduplication).", ruleLabel, nil)
	descDetectLate        = prometheus.NewDesc(namespace+"_detect_late_events_total", "Events older than the watermark when they arrived (folded while their window is held).", nil, nil)
	descDetectFallback    = prometheus.NewDesc(namespace+"_detect_fallback_matches_total", "Lines without EventName the rule matched by its fallback predicate (message text): stuck at zero, GitLab may have reworded the message.", ruleLabel, nil)
	descDetectEvicted     = prometheus.NewDesc(namespace+"_detect_evicted_keys_total", "Keys evicted oldest-first because the rule reached max_keys.", ruleLabel, nil)
	descDetectLiveKeys    = prometheus.NewDesc(namespace+"_detect_live_keys", "Keys the detection rule holds state for.", ruleLabel, nil)
	descDetectLateDrop    = prometheus.NewDesc(namespace+"_detect_late_dropped_total", "Events the detection rule dropped because their window had already closed: alerts may be missing (alert on it).", ruleLabel, nil)
	descDetectLookBack    = prometheus.NewDesc(namespace+"_detect_lookback_evicted_total", "Lines dropped oldest-first from the rule's look-back (lines Want declined that a start read later could make actions) at max_lookback or max_lookback_bytes: alerts may be missing (raise the cap).", ruleLabel, nil)
	descDetectSkipped     = prometheus.NewDesc(namespace+"_detect_skipped_events_total", "Events a GeoIP detection rule passed over because their address has no country (private, reserved, or not in the database): a rule that skips most of its events sees little (addresses behind a proxy?).", ruleLabel, nil)
	descDetectReorder     = prometheus.NewDesc(namespace+"_detect_reorder_overflow_total", "Events the full reorder buffer (64 MiB of event copies) gave the order-dependent rules before the sources read behind reached their time: those rules may then decide them out of time order.", nil, nil)
	descDetectFuture      = prometheus.NewDesc(namespace+"_detect_future_events_total", "Events dated more than 15 minutes after the clock, or one line far ahead of the lines around it in its file: they neither move the watermark nor reach the windowed rules (a clock or time zone fault on the GitLab host).", nil, nil)
	descDetectUntimed     = prometheus.NewDesc(namespace+"_detect_untimed_events_total", "Events a detection rule wanted whose time is missing or unreadable: not evaluated by the rules, which decide in event time (their lines are forwarded as usual).", nil, nil)
	descDetectDedupe      = prometheus.NewDesc(namespace+"_detect_dedupe_drops_total", "Events dropped by the detection engine as already seen (same EventID, or a line re-read after a restart).", nil, nil)
	descDetectSaveErr     = prometheus.NewDesc(namespace+"_detect_state_save_errors_total", "Failed writes of the detection state under state_dir/detect/.", nil, nil)
	descDetectFitted      = prometheus.NewDesc(namespace+"_detect_alerts_fitted_total", "Alerts longer than the destination's message size limit (max_message_bytes for datagrams, max_stream_message_bytes for streams) made to fit it, by how: sd_dropped (sent without STRUCTURED-DATA, the JSON in MSG whole), shortened (the JSON shortened, valid, its truncated member listing what), cut (too long even shortened: its JSON cut, not valid); alerts counted here are in detect_alerts_total too.", []string{"how"}, nil)
	descDetectPending     = prometheus.NewDesc(namespace+"_detect_alerts_pending", "Alerts handed to the forwarder and not yet acknowledged.", nil, nil)
	descDetectFileEntries = prometheus.NewDesc(namespace+"_detect_rule_file_entries", "Entries (indicators: addresses and CIDRs) the rule matches with from its own file (ti_file); 0: it matches nothing (alert on it).", ruleLabel, nil)
	descDetectFileUsable  = prometheus.NewDesc(namespace+"_detect_rule_file_usable", "1 when the rule's own file (ti_file), as last looked at (within about 2 s of a change), could be read and gave entries; 0 while it is missing, unreadable or holds none (the rule keeps the entries read before, if any).", ruleLabel, nil)
	descDetectFileMod     = prometheus.NewDesc(namespace+"_detect_rule_file_modified_timestamp_seconds", "Modification time (Unix seconds) of the file the rule's entries in use were read from; 0: none. A feed job that stopped leaves it old: alert on time() minus it.", ruleLabel, nil)
	descDetectLastSave    = prometheus.NewDesc(namespace+"_detect_state_last_save_timestamp_seconds", "Unix time of the last save of the detection state under state_dir/detect/ (0: none yet by this process). Saves are skipped while alerts wait for the collector's acknowledgement, and fail on write errors: alert when time() minus it grows well past state_save_interval.", nil, nil)
)

// SetDetections sets the function read at scrape time for the detection
// metrics; nil (detections off) reports none.
func (m *Metrics) SetDetections(f func() DetectStats) {
	m.mu.Lock()
	m.det = f
	m.mu.Unlock()
}

// detectCollector reads the engine's stats at scrape time.
type detectCollector struct{ m *Metrics }

func (c *detectCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDetectAlerts, descDetectEvents, descDetectLate, descDetectFallback, descDetectEvicted,
		descDetectLiveKeys, descDetectLateDrop, descDetectLookBack, descDetectSkipped, descDetectFuture, descDetectReorder, descDetectUntimed, descDetectDedupe, descDetectSaveErr, descDetectFitted, descDetectPending, descDetectLastSave,
		descDetectFileEntries, descDetectFileUsable, descDetectFileMod} {
		ch <- d
	}
}

func (c *detectCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	f := c.m.det
	c.m.mu.Unlock()
	if f == nil {
		return
	}
	s := f()
	ids := make([]string, 0, len(s.Rules))
	for id := range s.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := s.Rules[id]
		ch <- prometheus.MustNewConstMetric(descDetectAlerts, prometheus.CounterValue, float64(r.Alerts), id)
		ch <- prometheus.MustNewConstMetric(descDetectEvents, prometheus.CounterValue, float64(r.Events), id)
		ch <- prometheus.MustNewConstMetric(descDetectFallback, prometheus.CounterValue, float64(r.Fallback), id)
		ch <- prometheus.MustNewConstMetric(descDetectEvicted, prometheus.CounterValue, float64(r.Evicted), id)
		ch <- prometheus.MustNewConstMetric(descDetectLiveKeys, prometheus.GaugeValue, float64(r.LiveKeys), id)
		ch <- prometheus.MustNewConstMetric(descDetectLateDrop, prometheus.CounterValue, float64(r.LateDropped), id)
		ch <- prometheus.MustNewConstMetric(descDetectLookBack, prometheus.CounterValue, float64(r.LookBackEvicted), id)
		ch <- prometheus.MustNewConstMetric(descDetectSkipped, prometheus.CounterValue, float64(r.Skipped), id)
	}
	files := make([]string, 0, len(s.Files))
	for id := range s.Files {
		files = append(files, id)
	}
	slices.Sort(files)
	for _, id := range files {
		f := s.Files[id]
		usable, mod := 0.0, 0.0
		if f.Usable {
			usable = 1
		}
		if !f.Modified.IsZero() {
			mod = float64(f.Modified.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(descDetectFileEntries, prometheus.GaugeValue, float64(f.Entries), id)
		ch <- prometheus.MustNewConstMetric(descDetectFileUsable, prometheus.GaugeValue, usable, id)
		ch <- prometheus.MustNewConstMetric(descDetectFileMod, prometheus.GaugeValue, mod, id)
	}
	ch <- prometheus.MustNewConstMetric(descDetectFuture, prometheus.CounterValue, float64(s.FutureEvents))
	ch <- prometheus.MustNewConstMetric(descDetectReorder, prometheus.CounterValue, float64(s.ReorderOverflow))
	ch <- prometheus.MustNewConstMetric(descDetectUntimed, prometheus.CounterValue, float64(s.UntimedEvents))
	ch <- prometheus.MustNewConstMetric(descDetectLate, prometheus.CounterValue, float64(s.LateEvents))
	ch <- prometheus.MustNewConstMetric(descDetectDedupe, prometheus.CounterValue, float64(s.DedupeDrops))
	ch <- prometheus.MustNewConstMetric(descDetectSaveErr, prometheus.CounterValue, float64(s.StateSaveErrors))
	for _, f := range []struct {
		n   uint64
		how string
	}{{s.AlertsFitted.SDDropped, "sd_dropped"}, {s.AlertsFitted.Shortened, "shortened"}, {s.AlertsFitted.Cut, "cut"}} {
		ch <- prometheus.MustNewConstMetric(descDetectFitted, prometheus.CounterValue, float64(f.n), f.how)
	}
	ch <- prometheus.MustNewConstMetric(descDetectPending, prometheus.GaugeValue, float64(s.AlertsPending))
	last := 0.0
	if !s.LastSave.IsZero() {
		last = float64(s.LastSave.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(descDetectLastSave, prometheus.GaugeValue, last)
}
