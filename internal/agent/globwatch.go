package agent

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// A glob's watch record, saved in the checkpoint store, holds when the
// glob was first scanned (its first start) and the paths it forgot since,
// each with when. A file at a match path since then was either followed
// (it has a checkpoint, or it was forgotten, and its lines were read) or
// never seen: it appeared, and was maybe rotated away, while the agent
// was stopped, between two scans (it lived less than a scan), or after a
// scan whose new matches' tailers had not saved their first checkpoint
// when the agent was killed. So a match without a checkpoint, at a
// restart as after start, is read as a file that appeared since its
// path was last followed (tailer.Config.NewSince: the glob's first start,
// or when it forgot the path), from its beginning after its plain
// rotated copies last written since: those hold the lines of the files
// never seen, and a copy of a forgotten file is older, or one its tailer
// read (followsCopy), or, after a restart, appended to after it was
// forgotten (it is read again whole: at least once). Without a record
// (the glob's first start, a state directory of an older version) every
// match without a checkpoint is a file there at a first start, its
// copies history (start_at).

// WatchRecordPrefix begins the name of every watch record in a state
// directory: "glob-", the hex of the first 16 bytes of the SHA-256 of
// the glob, ".json" (recordKey).
const WatchRecordPrefix = "glob-"

// recordVersion is the version of the watchRecord record format.
const recordVersion = 1

// forgetMemory is how long a watch record keeps a forgotten path, and
// forgetMax how many it keeps at most (the oldest dropped first): a
// new file at a path forgotten longer ago reads its rotated copies written
// since the glob's first start, those of the forgotten file among them
// (sent again: at least once). 30 days outlasts the rotated copies that
// logrotate keeps of GitLab's logs (Omnibus: 30 daily); Kubernetes' paths
// are not reused.
const (
	forgetMemory = 30 * 24 * time.Hour
	forgetMax    = 4096
)

// watchRecord is a glob's watch record: one JSON document in the checkpoint
// store under recordKey(Glob).
type watchRecord struct {
	Version int    `json:"version"`
	Glob    string `json:"glob"`
	// Listed is when the glob's first scan began to list its matches.
	Listed time.Time `json:"listed"`
	// Forgotten holds the paths forgotten less than forgetMemory ago (at
	// most forgetMax), each with when the scan that found it gone began.
	Forgotten map[string]time.Time `json:"forgotten,omitempty"`
}

// recordKey returns the checkpoint store key of the watch record of the
// glob pattern: "glob-" and the hex of the first 16 bytes of its SHA-256.
func recordKey(glob string) string {
	sum := sha256.Sum256([]byte(glob))
	return WatchRecordPrefix + hex.EncodeToString(sum[:16])
}

// loadRecord sets g.since and g.forgot from the watch record saved for g's
// pattern, at the initial scan that began listing at listed; without a
// usable one (logged), g.since is listed, the record is saved once the
// first start's matches are checkpointed (block), and ok is false: a
// match without a checkpoint is then read as at a first start.
func (g *globSource) loadRecord(listed time.Time) (ok bool) {
	g.since, g.forgot, g.recordDirty = listed, nil, true
	store := g.store()
	if store == nil {
		return false
	}
	var m watchRecord
	found, err := store.Load(recordKey(g.sc.Path), &m)
	if err == nil && !found {
		return false
	}
	why := ""
	if err != nil {
		why = err.Error()
	} else if why = m.problem(g.sc.Path, listed); why == "" {
		g.since, g.forgot, g.recordDirty = m.Listed, m.Forgotten, false
		return true
	}
	if g.log != nil {
		key, fate := recordKey(g.sc.Path), "the record is saved again"
		if !store.Replaceable(key) {
			fate = checkpoint.DirInPlace
		}
		g.log.Warn("glob watch record not usable; a match without a checkpoint is read as at a first start (start_at), its rotated copies not read; "+fate,
			"glob", g.sc.Path, "file", store.File(key), "why", why)
	}
	return false
}

// problem returns why m, the watch record of glob read at now, cannot be
// used, or "" when it can.
func (m *watchRecord) problem(glob string, now time.Time) string {
	switch {
	case m.Version > recordVersion:
		return fmt.Sprintf("version %d, not %d (written by a newer gitlab-syslog?)", m.Version, recordVersion)
	case m.Version != recordVersion:
		return fmt.Sprintf("version %d, not %d", m.Version, recordVersion)
	case m.Glob != glob:
		return "the record of another glob: " + m.Glob
	case m.Listed.IsZero():
		return "no listed time"
	case m.Listed.After(now.Add(clockSlack)):
		return "listed " + m.Listed.UTC().Format(time.RFC3339) + " is in the future (the clock was set back?)"
	}
	return ""
}

// WatchRecordProblem returns why run cannot use the watch record file
// name (a WatchRecordPrefix file in a state directory) of glob, a glob
// source's path: it cannot be read or decoded, or its version, glob or
// time is wrong (for now). It returns "" when run can use it. glob ""
// checks the record against its own glob.
func WatchRecordProblem(name, glob string, now time.Time) string {
	data, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "the file is empty"
	}
	var m watchRecord
	if err := json.Unmarshal(data, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			where := "the record"
			if te.Field != "" {
				where = "its " + te.Field
			}
			return "valid JSON but not a watch record (a JSON " + te.Value + " for " + where + ")"
		}
		return "not valid JSON (" + err.Error() + ")"
	}
	return m.problem(cmp.Or(glob, m.Glob), now)
}

// clockSlack is how far in the future a watch record's listed time may
// be (coarse clocks) before it is taken for a clock set back.
const clockSlack = 2 * time.Second

// newSince returns the tailer.Config.NewSince of p, a match without a
// checkpoint read as a file that appeared: the glob's first start less
// mtimeSlack, or when it forgot p if later (a copy of the forgotten file
// last written just before is not read again).
func (g *globSource) newSince(p string) time.Time {
	since := g.since.Add(-mtimeSlack)
	if f, ok := g.forgot[p]; ok && f.After(since) {
		return f
	}
	return since
}

// mtimeSlack is how far before the time the process read a file's
// modification time may be: the file system's clock is coarse (a kernel
// tick), so a copy written just after a scan may say it was last written
// before it.
const mtimeSlack = 2 * time.Second

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

// block records s, a match of a first start with start_at: end, as
// keeping the watch record from being saved until its first checkpoint
// is on disk: a restart with a record would read it from its beginning,
// sending the lines start_at: end skips.
func (g *globSource) block(s *source) {
	if g.blocking == nil {
		g.blocking = map[*source]bool{}
	}
	g.blocking[s] = true
}

// forgetPath records that g forgot p, at listed, the time the scan that
// found it gone began: a file at p since is new.
func (g *globSource) forgetPath(p string, listed time.Time) {
	delete(g.blocking, g.matched[p])
	if g.forgot == nil {
		g.forgot = map[string]time.Time{}
	}
	g.forgot[p] = listed
	g.recordDirty = true
}

// pruneForgot drops from g.forgot the paths forgotten more than
// forgetMemory before now, then the oldest beyond forgetMax.
func (g *globSource) pruneForgot(now time.Time) {
	for p, at := range g.forgot {
		if now.Sub(at) > forgetMemory {
			delete(g.forgot, p)
		}
	}
	if len(g.forgot) <= forgetMax {
		return
	}
	paths := slices.SortedFunc(maps.Keys(g.forgot), func(a, b string) int { return g.forgot[a].Compare(g.forgot[b]) })
	for _, p := range paths[:len(paths)-forgetMax] {
		delete(g.forgot, p)
	}
}

// saveRecord saves g's watch record when it changed and no match of the
// first start blocks it (block): the glob's first start and the paths
// forgotten (pruneForgot). A failed save is logged
// once until a save succeeds, and tried again at the next scan.
func (g *globSource) saveRecord(now time.Time) {
	for s := range g.blocking {
		if s.t != nil && s.t.Stats().Mode == tailer.ModeStopped || g.hasCheckpoint(s.cfg.Path) {
			delete(g.blocking, s)
		}
	}
	store := g.store()
	if !g.recordDirty || len(g.blocking) > 0 || store == nil {
		return
	}
	g.pruneForgot(now)
	err := store.Save(recordKey(g.sc.Path), watchRecord{Version: recordVersion, Glob: g.sc.Path, Listed: g.since, Forgotten: g.forgot})
	switch {
	case err == nil:
		g.recordDirty, g.recordFailed = false, false
	case !g.recordFailed && g.log != nil:
		g.recordFailed = true
		g.log.Warn("glob watch record not saved; tried again at each scan; until it is, a match without a checkpoint after a restart is read as at a first start",
			"glob", g.sc.Path, "file", store.File(recordKey(g.sc.Path)), "err", err)
	}
}
