package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// A glob's scan watermark is a time W, saved in the checkpoint store,
// such that a file the glob matches at a restart without a checkpoint
// was not there, or not yet durably checkpointed, at W: it appeared
// since (while the agent was stopped, or after a scan whose new matches'
// tailers had not saved their first checkpoint when the agent was
// killed). Its lines, and those of its plain rotated copies last written
// after W, were never read, so the restart reads it as a file that
// appeared after start (tailer.Config.NewSince W), not as a file there at
// a first start, whose copies are history (start_at). Without a
// watermark (the glob's first start, a state directory of an older
// version) every match without a checkpoint is a file there at a first
// start.
//
// The watermark saved never passes the NewSince of a match whose first
// checkpoint is not on disk yet (globSource.pending), so a kill between a
// scan and that save loses nothing; when none is pending it is the
// listing time of the last scan that started, settled or forgot a source
// (saveMarks), so that it is written only when the glob's files change.

// ScanMarkPrefix begins the name of every scan watermark record in a
// state directory: "glob-", the hex of the first 16 bytes of the SHA-256
// of the glob, ".json" (markKey).
const ScanMarkPrefix = "glob-"

// markVersion is the version of the scanMark record format.
const markVersion = 1

// scanMark is the record of a glob's scan watermark: one JSON document
// in the checkpoint store under markKey(Glob).
type scanMark struct {
	Version int       `json:"version"`
	Glob    string    `json:"glob"`
	Listed  time.Time `json:"listed"` // the watermark
}

// markKey returns the checkpoint store key of the scan watermark of the
// glob pattern: "glob-" and the hex of the first 16 bytes of its SHA-256.
func markKey(glob string) string {
	sum := sha256.Sum256([]byte(glob))
	return ScanMarkPrefix + hex.EncodeToString(sum[:16])
}

// loadMark returns the scan watermark saved for g's pattern, or the zero
// time when there is none or it cannot be used (logged: a match without
// a checkpoint is then read as at a first start).
func (g *globSource) loadMark() time.Time {
	store := g.store()
	if store == nil {
		return time.Time{}
	}
	var m scanMark
	ok, err := store.Load(markKey(g.sc.Path), &m)
	switch {
	case err == nil && !ok:
		return time.Time{}
	case err == nil && m.Version == markVersion && m.Glob == g.sc.Path && !m.Listed.IsZero():
		return m.Listed
	}
	if g.log != nil {
		why := "unknown version or another glob's"
		if err != nil {
			why = err.Error()
		}
		g.log.Warn("glob scan watermark not usable; a match without a checkpoint is read as at a first start (start_at), its rotated copies not read",
			"glob", g.sc.Path, "file", store.File(markKey(g.sc.Path)), "why", why)
	}
	return time.Time{}
}

// hasCheckpoint reports whether the store holds a checkpoint for p, or
// one that cannot be read (which the tailer reports); false without a
// store.
func (g *globSource) hasCheckpoint(p string) bool {
	store := g.store()
	if store == nil {
		return false
	}
	pos, err := store.LoadPosition(p)
	return err != nil || pos != nil
}

// pend records s, a source g started with newSince (zero: at a first
// start, or for a match read from its beginning without its copies), as
// pending until its first checkpoint is on disk (settle).
func (g *globSource) pend(s *source, newSince time.Time) {
	if g.pending == nil {
		g.pending = map[*source]time.Time{}
	}
	g.pending[s] = newSince
	g.markDirty = true
}

// pendSince returns the NewSince to pend s with (see pend): newSince, or
// for a match of a first start (atStart, no watermark) read from its
// beginning, listed, the time the scan began to list the matches: a
// restart that reads it as a file appeared since then (from its
// beginning, after the copies written since) reads what this run would
// have. With start_at: end it is the zero time: such a restart would
// read the lines start_at skips.
func pendSince(s *source, atStart bool, newSince, listed time.Time) time.Time {
	if atStart && s.cfg.StartAt != "end" {
		return listed
	}
	return newSince
}

// unpend drops s, a source g forgets, from the pending ones.
func (g *globSource) unpend(s *source) {
	delete(g.pending, s)
	g.markDirty = true
}

// settle drops from g.pending the sources whose checkpoint is on disk and
// those whose tailer stopped, and returns the watermark g allows now: the
// oldest NewSince of the sources still pending, else listed, the time g's
// last scan began to list its matches; the zero time when a source
// started without a NewSince (at a first start) is pending. changed
// reports whether a source was pended, settled or forgotten since the
// watermark was last saved (markSaved).
func (g *globSource) settle(listed time.Time) (w time.Time, changed bool) {
	for s := range g.pending {
		if s.t != nil && s.t.Stats().Mode == tailer.ModeStopped || g.hasCheckpoint(s.cfg.Path) {
			delete(g.pending, s)
			g.markDirty = true
		}
	}
	w = listed
	for _, since := range g.pending {
		if since.IsZero() {
			return time.Time{}, g.markDirty
		}
		if since.Before(w) {
			w = since
		}
	}
	return w, g.markDirty
}

// markSaved records that w, which settle allowed, is the watermark saved:
// nothing is saved again until a source is pended, settled or forgotten.
func (g *globSource) markSaved(w time.Time) {
	g.mark = w
	g.markDirty = len(g.pending) > 0
}

// saveMarks saves the scan watermark of each pattern among globs when
// the sources of one of its globs changed since the last save: the oldest
// one its globs allow (settle), none while one allows none. A failed save
// is logged and tried again at the next scan.
func (a *Agent) saveMarks(globs []*globSource) {
	type mark struct {
		w             time.Time
		none, changed bool
		of            []*globSource
	}
	marks := map[string]*mark{}
	for _, g := range globs {
		if g.store() == nil {
			continue
		}
		m := marks[g.sc.Path]
		if m == nil {
			m = &mark{}
			marks[g.sc.Path] = m
		}
		m.of = append(m.of, g)
		w, changed := g.settle(g.listed)
		m.changed = m.changed || changed
		switch {
		case w.IsZero():
			m.none = true
		case m.w.IsZero() || w.Before(m.w):
			m.w = w
		}
	}
	for glob, m := range marks {
		if !m.changed || m.none {
			continue
		}
		if !m.w.Equal(m.of[0].mark) {
			store := m.of[0].store()
			if err := store.Save(markKey(glob), scanMark{Version: markVersion, Glob: glob, Listed: m.w}); err != nil {
				a.log.Warn("glob scan watermark not saved; tried again at the next scan", "glob", glob, "file", store.File(markKey(glob)), "err", err)
				continue
			}
		}
		for _, g := range m.of {
			g.markSaved(m.w)
		}
	}
}
