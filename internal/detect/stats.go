package detect

import "time"

// KeyCounter is implemented by rules that keep per-key state, so that the
// engine can report live keys and evictions. The attacker controls user
// names and addresses, so every keyed rule is capped (max_keys, default
// 100000 per rule) and drops its oldest key first.
type KeyCounter interface {
	// Keys returns the number of keys held now.
	Keys() int
	// Evicted returns how many keys were dropped, oldest first, because
	// the rule's max_keys was reached.
	Evicted() uint64
	// MaxKeys returns the rule's max_keys: the keys it holds at most.
	MaxKeys() int
}

// FileReporter is implemented by rules that read a file of their own
// (sentinel.ti_malicious_ip's ti_file), so that check can report what run
// only logs.
type FileReporter interface {
	// FileReport describes the rule's file as its last load read it.
	FileReport() FileReport
}

// FileReport is what a rule's last load found in its own file.
type FileReport struct {
	// File is the file's path as configured.
	File string
	// From is the file the entries in use were read from when it is not
	// File: a reload set another file that could not be used, and the
	// rule kept the entries of the one before; "" otherwise.
	From string
	// Skipped are the first lines the load skipped (a few, as the rule
	// logs them), each "FILE:LINE: cause", e.g. `/etc/ti.txt:3:
	// "10.0.0.300" is not an IP address or CIDR`, and "FILE: cause" when
	// the file could not be read to its end; none when every line was
	// used.
	Skipped []string
	// SkippedTotal is the number of lines the load skipped in all; the
	// lines beyond Skipped are only counted.
	SkippedTotal int
	// Internal are the first entries the load kept that cover addresses
	// no threat feed lists (private, loopback, link-local: the TI rule's
	// internalRanges), each "FILE:LINE: warning"; InternalTotal counts
	// them all.
	Internal      []string
	InternalTotal int
	// Unusable, when not "", says that the file as loaded gives the rule
	// nothing to match, naming the file and what to write in it; the rule
	// runs and matches nothing until the file is reloaded with something
	// usable.
	Unusable string
	// Empty says that Unusable is an empty list: the file lists no
	// indicator and no line of it was skipped (0 bytes, or only comments
	// and blank lines). An agent starts with it and warns; a running
	// agent holding indicators takes it as a fault and keeps them.
	Empty bool
	// Entries is the number of entries the rule matches with (the TI
	// rule's IP addresses and CIDRs): those of the last load, or of an
	// earlier one that a file not usable at a reload left in use.
	Entries int
	// Modified is the modification time of the file the entries in use
	// were read from (a feed job that stopped leaves it old); zero when
	// none was read.
	Modified time.Time
	// Usable says that the file at File, as last looked at, could be read
	// and gives the rule entries: false while it is missing, unreadable
	// or holds none (the rule then keeps entries read before, if any).
	Usable bool
}

// FallbackCounter is implemented by rules with fallback predicates for
// audit lines without EventName (the legacy AuditEventService, and Auditor
// events of releases before event_name was written). GitLab may reword a
// message a fallback matches: a counter that stays at zero while the
// named events flow shows that.
type FallbackCounter interface {
	// FallbackMatches returns how many lines without EventName matched
	// the fallback predicate.
	FallbackMatches() uint64
}

// RuleStats are one rule's counters.
type RuleStats struct {
	Evaluated  uint64 // events given to Observe
	Alerts     uint64 // alerts passed on
	Suppressed uint64 // alerts dropped by suppression or as a repeated alert_id
	Keys       int    // live keys (KeyCounter rules)
	Evicted    uint64 // keys evicted at max_keys (KeyCounter rules)
	MaxKeys    int    // the rule's max_keys (KeyCounter rules)
	Fallback   uint64 // lines matched by the fallback predicate (FallbackCounter rules)
	LateDrop   uint64 // events dropped because their window had closed (LateCounter rules)
	// TooOld counts the events the engine kept from a rule that counts in
	// event time (a windowed, baseline or session rule) because they were
	// older than the event ids it remembers (Config.DedupeWindow behind
	// the watermark, or dropped at MaxRecent): they might be repeats.
	TooOld  uint64
	Skipped uint64 // events passed over for want of a country (SkipCounter rules)
	// LookBackEvicted counts lines dropped from the rule's look-back at
	// its cap before the watermark passed them (LookBackCounter rules).
	LookBackEvicted uint64
}

// Stats are the engine's counters since New, for the metrics. Counters
// only grow.
type Stats struct {
	Events          uint64               // events passed to Process
	Deduplicated    uint64               // events dropped as repeats of an event id
	Replayed        uint64               // lines at or below the restored snapshot offset, not folded
	Late            uint64               // events older than the watermark when they arrived
	Future          uint64               // events more than Config.MaxAhead ahead of the wall clock, or marked Event.Outlier: they reach only the per-event rules and do not move the watermark
	Outliers        uint64               // of Future, the events marked Event.Outlier and not more than Config.MaxAhead ahead of the wall clock
	ReorderOverflow uint64               // events the full reorder buffer gave its rules before their sources' watermark passed them
	SuppressEvicted uint64               // suppression entries evicted at the cap
	StateSaveErrors uint64               // failed state file writes
	StateLoadErrors uint64               // state files that could not be restored
	Rules           map[string]RuleStats // by rule id
	// Jump is the event whose time was furthest ahead of the newest time
	// of its source before it, by more than Config.Lateness (see Jump);
	// the zero Jump when none was. Of equal jumps, the last.
	Jump Jump
	// Back is the late event furthest behind the engine watermark (see
	// Back); the zero Back when no event was late.
	Back Back
	// Ahead is the last event counted in Future; the zero Ahead when
	// none was.
	Ahead Ahead
	// CopiesApart counts the text events of application.log that found
	// no JSON copy within copyLag (2) ms after their time, but a JSON
	// event of the same Message up to copyDisorder (1 s) after it: most
	// likely copies GitLab wrote further apart than it does (a stall
	// between its two writes), which then counted twice (see
	// Engine.duplicateCopy).
	CopiesApart uint64
}

// Jump is an event that moved its source's watermark more than
// Config.Lateness ahead at once: a clock step, or a line in local time
// among lines in UTC. The events of the source after it that are older
// than its time − Lateness are late, and the windowed rules drop those
// whose window had closed; a Jump names the line to look at.
type Jump struct {
	Source string    // the event's Source
	FileID string    // its FileID ("" for streamed events)
	Offset int64     // its Offset (the caller's: detect gives the line number)
	Time   time.Time // its time
	Prev   time.Time // the newest time of its source before it
	// Watermark is Time − Config.Lateness: events of the source older
	// than it are late.
	Watermark time.Time
	// Seq is the count of events the engine was given (Stats.Events)
	// when it came (see Back.Seq).
	Seq uint64
}

// Ahead is an event kept from the windowed rules for its time (see
// Stats.Future): one marked Event.Outlier, or dated more than
// Config.MaxAhead after the wall clock (Now, when it was read).
type Ahead struct {
	Source  string    // the event's Source
	FileID  string    // its FileID ("" for streamed events)
	Offset  int64     // its Offset (the caller's: detect gives the line number)
	Time    time.Time // its time
	Now     time.Time // the wall clock when it was read
	Outlier bool      // Event.Outlier, and not beyond Config.MaxAhead: its reader judged it by the lines around it
}

// Back is a late event: one whose time was before the engine watermark
// when it was read (with Config.LogWatermarks, before the watermark of
// its log too, the one recorded). Stats.Back is the one furthest behind it (of equal,
// the first), where a source's lines went back in time (logs
// concatenated in the wrong order, a log appended with lines older than
// those read before it) or where lines begin that are older than a
// watermark set by another source or by an earlier run (state_dir). See
// LateCause for which.
type Back struct {
	Source string    // the event's Source
	FileID string    // its FileID ("" for streamed events)
	Offset int64     // its Offset (the caller's: detect gives the line number)
	Time   time.Time // its time
	// Newest is the newest time of its source before it, among the
	// events this engine read since it started; zero when none.
	Newest time.Time
	// Watermark is the engine watermark it was behind (with
	// Config.LogWatermarks, its log's when that is earlier).
	Watermark time.Time
	// Lateness is Config.Lateness.
	Lateness time.Duration
	// Seq is the count of events the engine was given (Stats.Events)
	// when it came: it came after the Jump of a lower Seq.
	Seq uint64
}

// Behind returns how far b's time is before the newest time of its
// source before it (0 when its source had none).
func (b Back) Behind() time.Duration {
	if b.Newest.IsZero() {
		return 0
	}
	return b.Newest.Sub(b.Time)
}

// Cause says what made events late, as LateCause tells it.
type Cause uint8

// The causes.
const (
	// CauseNone: no event was late.
	CauseNone Cause = iota
	// CauseJump: a line moved its source's watermark ahead (the Jump),
	// and the late lines are no older than the lines before it: look at
	// that line (Jump.ClockStep), or raise the lateness.
	CauseJump
	// CauseBack: the late lines are older than their own source's newest
	// line before them by more than the lateness: the source goes back
	// in time at Back.
	CauseBack
	// CauseWatermark: the late lines are in order in their source; the
	// watermark they are behind was set by another source, or saved by
	// an earlier run.
	CauseWatermark
)

// LateCause returns what made events late, from the Jump and the Back of
// Stats (or of Losses): the jump when the late event furthest behind came
// after it, is no older than the lines before the jump, minus the lateness (without
// the jump it would not be late), and behind a watermark no later than
// the one the jump set, or before that one and behind a watermark the
// lines after the jump moved on by less than the jump itself (the lines
// of a step: the jump alone made it late), and is of the jump's source
// or no more than the lateness older than its own source's newest line
// before it; else the source going back in
// time when that event is more than the lateness older than its source's
// newest line before it (which alone makes it late); else a watermark
// set elsewhere.
func LateCause(j Jump, b Back) Cause {
	switch {
	case b.Time.IsZero() && j.Time.IsZero():
		return CauseNone
	case b.Time.IsZero():
		return CauseJump
	case !j.Time.IsZero() && (j.Source == b.Source || b.Behind() <= b.Lateness) && b.Seq > j.Seq && !b.Time.Before(j.Prev.Add(-b.Lateness)) && (!b.Watermark.After(j.Watermark) || b.Time.Before(j.Watermark) && b.Watermark.Sub(j.Watermark) <= j.Time.Sub(j.Prev)):
		return CauseJump
	case b.Behind() > b.Lateness:
		return CauseBack
	}
	return CauseWatermark
}

// clockStep is the jump ahead from which a Jump is taken for a clock
// step or a time in another zone rather than lines a little out of
// order: GitLab's lines interleave within seconds, time zones differ by
// hours.
const clockStep = 30 * time.Minute

// ClockStep reports whether j is clockStep (30 minutes) or more ahead of
// the line before it: a clock step or a line in another time zone, to
// correct or remove, rather than lines a little out of order, for which
// the lateness is to be raised. detect's summary and run's log say so.
func (j Jump) ClockStep() bool { return j.Time.Sub(j.Prev) >= clockStep }

// RuleLoss is what one rule lost so far: keys evicted at max_keys and
// events dropped as too late (see RuleStats).
type RuleLoss struct {
	Rule        string // the rule's id
	Evicted     uint64 // RuleStats.Evicted
	MaxKeys     int    // RuleStats.MaxKeys
	LateDropped uint64 // RuleStats.LateDrop plus RuleStats.TooOld
}

// Losses appends to dst, in rule order, the RuleLoss of every rule that
// counts evicted keys or late drops, and returns it with the last Jump
// (Stats.Jump) and the late event furthest behind (Stats.Back). It
// allocates nothing once dst has room, so that a caller may ask after
// every batch and report a loss as it happens.
func (e *Engine) Losses(dst []RuleLoss) ([]RuleLoss, Jump, Back) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		kc, isKC := r.rule.(KeyCounter)
		lc, isLC := r.rule.(LateCounter)
		if !isKC && !isLC && r.stats.TooOld == 0 {
			continue
		}
		l := RuleLoss{Rule: r.info.ID, LateDropped: r.stats.TooOld}
		if isKC {
			l.Evicted, l.MaxKeys = kc.Evicted(), kc.MaxKeys()
		}
		if isLC {
			l.LateDropped += lc.LateDropped()
		}
		dst = append(dst, l)
	}
	return dst, e.stats.Jump, e.stats.Back
}

// CopiesApart returns Stats.CopiesApart without copying the other
// counters, so that a caller may ask after every batch.
func (e *Engine) CopiesApart() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.CopiesApart
}

// FutureEvents returns Stats.Future and Stats.Ahead without copying the
// other counters, so that a caller may ask after every batch.
func (e *Engine) FutureEvents() (uint64, Ahead) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.Future, e.stats.Ahead
}

// Stats returns a copy of the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.SuppressEvicted = e.supp.evicted
	s.Rules = make(map[string]RuleStats, len(e.rules))
	for _, r := range e.rules {
		rs := r.stats
		if kc, ok := r.rule.(KeyCounter); ok {
			rs.Keys = kc.Keys()
			rs.Evicted = kc.Evicted()
			rs.MaxKeys = kc.MaxKeys()
		}
		if fc, ok := r.rule.(FallbackCounter); ok {
			rs.Fallback = fc.FallbackMatches()
		}
		if lc, ok := r.rule.(LateCounter); ok {
			rs.LateDrop = lc.LateDropped()
		}
		if sc, ok := r.rule.(SuppressCounter); ok {
			rs.Suppressed += sc.SuppressedAlerts()
		}
		if sc, ok := r.rule.(SkipCounter); ok {
			rs.Skipped = sc.Skipped()
		}
		if lc, ok := r.rule.(LookBackCounter); ok {
			rs.LookBackEvicted = lc.LookBackEvicted()
		}
		s.Rules[r.info.ID] = rs
	}
	return s
}
