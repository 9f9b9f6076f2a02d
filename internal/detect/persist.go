package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// engineState is the engine's own snapshot (schema engineStateVersion).
type engineState struct {
	Watermark time.Time           `json:"watermark"`
	Positions map[string]position `json:"positions"`
	Events    []recentItem        `json:"events"`
	// EventsForgot is the newest time (Unix ns) of an event id the
	// events set dropped (recent.forgetsBefore); absent in the snapshots
	// of versions before it was saved.
	EventsForgot *int64       `json:"events_forgot,omitempty"`
	Alerts       []recentItem `json:"alerts"`
	Suppress     []suppItem   `json:"suppress"`
	// Held are the events the reorder buffer held, oldest first (see
	// reorder.go); absent when none.
	Held []heldItem `json:"held,omitempty"`
	// LogNewest is, with Config.LogWatermarks, the newest event time of
	// each log (audit, application, access, auth) given to the rules;
	// absent when none, and without it.
	LogNewest map[string]time.Time `json:"log_newest,omitempty"`
}

// maxSaveBuf is the largest encoding buffer Save keeps for the next save.
const maxSaveBuf = 1 << 20

// snapshotAppender is implemented by the Stateful rules whose state can be
// large (bounded by max_keys and similar parameters): appendSnapshot
// appends what Snapshot returns, valid JSON by construction, into the
// engine's reused buffer, which the store writes without a validating
// pass.
type snapshotAppender interface {
	appendSnapshot(dst []byte) []byte
}

// Save writes the engine's state and every Stateful rule's state to the
// store (nothing without a StateDir): the engine's file first, then each
// rule's, every one attempted once the engine's was written (when it was
// not, no rule's is, so that the files on disk stay those of one save,
// which load restores together). Failures are counted in
// Stats.StateSaveErrors, logged (unless Config.QuietSave), and returned
// joined, one error per file. The
// agent calls it periodically and at shutdown. It holds the engine for
// its whole run: encoding is linear in the state, which the engine's and
// the rules' bounds (MaxRecent, max_keys, max_pending) cap; at the default
// bounds (about 144 MB of JSON) it takes 0.7-1.9 s on two shared cores,
// fsyncs included (BenchmarkSaveFull).
func (e *Engine) Save() error {
	if e.store == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	es := engineState{
		Watermark:    e.watermark(),
		Positions:    make(map[string]position, len(e.sources)),
		Events:       e.events.items(),
		EventsForgot: &e.events.forgot,
		Alerts:       e.alerts.items(),
		Suppress:     e.supp.items(),
		Held:         e.heldEvents(),
		LogNewest:    e.logNewestState(),
	}
	for name, s := range e.sources {
		p := s.pos
		if p.FileID == "" {
			p = s.replay
		}
		if s.read.whole {
			// A reader read the file to its end (Check): through its
			// check's line, whatever the run's events were.
			p = position{FileID: s.read.id, Offset: s.read.c.Line}
		}
		if p.FileID == "" {
			continue
		}
		p.Check = nil
		if c, ok := s.checkOf(p.FileID); ok {
			p.Check = &c
		}
		es.Positions[name] = p
	}
	e.gen++ // first the engine's file, then the rules': see load
	e.saveBuf = appendEngineState(e.saveBuf[:0], &es)
	engineErr := e.store.write(StateName, engineStateVersion, e.gen, e.saveBuf)
	if engineErr != nil {
		// The rules' files of this save would be newer than the engine's
		// file left, and not restored (see load): the set of the last
		// save stays whole instead.
		errs = append(errs, fmt.Errorf("%w; the rules' files were not written either, so that the last save's files stay a set", engineErr))
	}
	if cap(e.saveBuf) > maxSaveBuf {
		e.saveBuf = nil // a full state is not kept alive between saves
	}
	rules := e.rules
	if engineErr != nil {
		rules = nil // none of the rules' files: see above
	}
	for _, r := range rules {
		st, ok := r.rule.(Stateful)
		if !ok {
			continue
		}
		var err error // the store's errors name the rule's file
		if ap, ok := st.(snapshotAppender); ok {
			e.saveBuf = ap.appendSnapshot(e.saveBuf[:0])
			err = e.store.write(r.info.ID, st.StateVersion(), e.gen, e.saveBuf)
		} else if b, err2 := st.Snapshot(); err2 != nil {
			err = fmt.Errorf("detections: rule %s: %w", r.info.ID, err2)
		} else {
			err = e.store.save(r.info.ID, st.StateVersion(), e.gen, b)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, err := range errs {
		e.stats.StateSaveErrors++
		if !e.cfg.QuietSave {
			e.cfg.Log.Error("detection state not saved", "err", err)
		}
	}
	return errors.Join(errs...)
}

// load restores what an earlier run saved. Nothing here fails the engine:
// an unreadable or corrupt file is logged and counted, and the rule (or
// the engine) starts fresh.
//
// The files are restored as a set. The engine's file holds what makes a
// restart count each line once: the positions up to which each source was
// folded and the recent event ids. A rule's state is therefore restored
// only when the engine's file was, and was saved by the same save or a
// later one (generation): a rule's state older than the engine's misses
// the lines folded in between, which are not folded again (a little
// under-counted, as a crash allows), whereas one newer than the engine's
// file, or without a readable one, would count the lines in between
// twice. Such rule state is discarded with one log line, and those rules
// start learning again. Files without a generation (written before it
// was recorded) are restored as before when the engine's file has none
// either; a rule's file without one is older than an engine file with
// one, and restored.
func (e *Engine) load() {
	engGen, engOK := e.loadEngine()
	e.gen = engGen
	var discarded []string
	for _, r := range e.rules {
		st, ok := r.rule.(Stateful)
		if !ok {
			continue
		}
		b, gen, err := e.store.load(r.info.ID, st.StateVersion())
		e.gen = max(e.gen, gen) // the next save's generation is above every file's
		if err == nil && (!engOK || gen > engGen || gen != 0 && engGen == 0) {
			discarded = append(discarded, r.info.ID)
			continue
		}
		if err == nil {
			err = st.Restore(b)
		}
		if err != nil && !errors.Is(err, ErrNoState) {
			e.loadFailed(r.info.ID, err)
		}
	}
	if engOK {
		e.closeRestored()
		e.restoreHeld(e.heldSaved)
		e.heldSaved = nil
	}
	if len(discarded) > 0 {
		e.stats.StateLoadErrors++
		why := "the engine's state file is missing or was not restored"
		if engOK {
			why = fmt.Sprintf("their files are newer than the engine's (generation %d)", engGen)
		}
		e.cfg.Log.Warn("detection rules' state not restored: it belongs with the engine's state (folded positions, recent event ids), without which a restart would count lines twice; these rules start learning again",
			"rules", strings.Join(discarded, ","), "why", why, "dir", e.store.Dir())
	}
}

// closeRestored moves every rule to the restored watermark, as the run
// that saved the state had moved them (a rule saves its windows, not the
// watermark it was at), so that the windows that run closed stay closed:
// an event dated before them (old logs fed to run --once in two parts) is
// dropped as late and counted, as it would have been in that run, instead
// of being folded into a new window. The rules are moved to the start of
// the watermark's second, which is not after the last watermark advance
// gave them (advance runs once per second of watermark), so no window
// closes here that was open when the state was saved, and nothing is
// emitted.
func (e *Engine) closeRestored() {
	wm := e.watermark()
	if wm.IsZero() {
		return
	}
	at := time.Unix(e.advancedSec, 0).UTC()
	for _, r := range e.advancers {
		e.advanceRule(r, at)
	}
}

// loadEngine restores the engine's own state. It returns the generation
// of its file and whether it was restored (false: no file, or one that
// was not restored, which was logged).
func (e *Engine) loadEngine() (uint64, bool) {
	b, gen, err := e.store.load(StateName, engineStateVersion)
	if err != nil {
		if !errors.Is(err, ErrNoState) {
			e.loadFailed(StateName, err)
		}
		return gen, false
	}
	var es engineState
	if err := json.Unmarshal(b, &es); err != nil {
		e.loadFailed(StateName, err)
		return gen, false
	}
	if lim := e.cfg.Now().Add(MaxFuture); es.Watermark.After(lim) {
		// Saved by a version that let a far-future event time move the
		// watermark and close the rules' windows: kept, it would make
		// every event late, so no rule's state is restored. The bound is
		// MaxFuture whatever MaxAhead is: events whose time has no zone
		// move the watermark up to it (see future).
		e.loadFailed(StateName, fmt.Errorf("its watermark %s is more than %s after the clock; every rule starts fresh",
			es.Watermark.UTC().Format(time.RFC3339), MaxFuture))
		return gen, false
	}
	e.restore(&es)
	return gen, true
}

func (e *Engine) restore(es *engineState) {
	e.wm, e.wmLazy, e.wmNs = es.Watermark, false, nanos(es.Watermark)
	e.advancedSec = es.Watermark.Unix()
	e.folded = len(es.Positions) > 0
	for name, p := range es.Positions {
		s := e.source(name)
		if p.Check != nil && p.Check.Line > 0 && p.FileID != "" {
			s.folded = fileCheck{id: p.FileID, c: *p.Check}
		}
		p.Check = nil
		s.replay = p
		s.pos = p
	}
	e.events.load(es.Events, es.Watermark, es.EventsForgot)
	e.alerts.load(es.Alerts, es.Watermark, nil)
	e.supp.load(es.Suppress)
	e.heldSaved = es.Held // restored once the rules are (see load)
	e.restoreLogNewest(es.LogNewest)
}

// loadFailed logs that the state file name (StateName, or a rule's id)
// was not restored, and counts it. Without the engine's file the recent
// event ids, alert ids and suppression are gone too, which the message
// says: events seen before may alert again.
func (e *Engine) loadFailed(name string, err error) {
	e.stats.StateLoadErrors++
	msg := "detection state not restored; starting fresh (rules with baselines learn again)"
	if name == StateName {
		msg = "detection state not restored; starting fresh: rules with baselines learn again, and the events, alerts and suppression seen before are forgotten, so events already seen may alert again"
	}
	e.cfg.Log.Warn(msg, "state", name, "err", err)
}
