package detect

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// repoDeletionSpec is sentinel.repo_deletion: project deletions across the
// instance over a sliding 60-minute window of event time, against max(mean
// + 3·sd, 10) of the hourly deletions of the 7 days before the window
// (zero hours included, the window's own hours excluded; the floor alone,
// learning=true, until 7 days are observed).
//
// Counted: audit events with RemoveAction "project" (legacy and current
// lines) or EventName project_destroyed, each event once (the engine drops
// repeats of an EventID, so a file line and its streamed copy count once).
// Deletions are binned by when GitLab recorded them, never by when the
// agent read them, so a shipping backlog does not pile ordinary hours into
// one burst (Sentinel's rule bins by TimeGenerated, the arrival time).
// project_deletion_marked (delayed deletion, days before
// the deletion) is counted only with count_marked true, as the early signal.
// A project counts once per window whichever of its events are seen: an
// event of a project (its id: EntityID of EntityType Project, else
// TargetID of TargetType Project) less than window from a counted event of
// the same project is not counted again (see projectSeen), so a project
// marked and then destroyed within the window counts once. An event
// without a project id is counted: a path may be reused by a new project.
//
// The alert lists who deleted (Authors) and the paths of the projects
// deleted (EntityPaths), each distinct value once, comma-separated, at
// most MaxListed, the most recently seen last, and the EventIDs of the
// deletions counted (at most MaxEventIDs, the most recent, in event-time
// order).
//
// Parameters: window (60m), bucket (5m), learning_period (168h), sd_factor
// (3), min_count (10), count_marked (false), suppress (60m).
func repoDeletionSpec() Spec {
	return Spec{
		Info: Info{
			ID: "sentinel.repo_deletion", Name: "GitLab - Abnormal number of repositories deleted", Kind: KindBaseline,
			Severity: SeverityMedium, Tactic: []string{"Impact"}, Technique: []string{"T1485"},
			Description: "More project deletions across the instance in 60 minutes than the 7-day hourly " +
				"baseline allows (mean + 3 sd, at least 10).",
		},
		Default:  true,
		Params:   []string{"window", "bucket", "learning_period", "sd_factor", "min_count", "count_marked"},
		Suppress: defaultSuppression,
		New:      newRepoDeletion,
	}
}

// repoDeletion implements sentinel.repo_deletion.
type repoDeletion struct {
	baselineWindow
	suppressCount

	win       sliding
	hist      history
	authors   spreadState // the distinct authors of the window, most recent last
	paths     spreadState // the distinct EntityPaths of the window, most recent last
	ids       idList      // the EventIDs of the window's most recent deletions
	learnFrom int64
	alerted   int64
	late      uint64
	fallback  uint64
	closed    int64 // Unix ns before which windows are closed: watermark − window
	floor     int64 // the oldest bucket a window the watermark has not closed covers (see sliding.add)
	marked    bool  // count project_deletion_marked too
	projects  projectSeen
}

// projectSeen remembers when each project's deletion was last counted, so
// that a second event of one project (marked, then destroyed; a legacy
// line and a current one with different ids) less than a window apart is
// not counted twice: an lru of project key to Unix ns, oldest counted
// first. It holds at most maxSeenProjects projects, forgetting the oldest
// first (counted as the lru's evictions): a project forgotten that way
// counts again.
type projectSeen struct {
	l *lru[string, int64] // nil until the first project
}

// projectKey returns the id of the project ev deletes or marks: EntityID
// of an EntityType Project, else TargetID of a TargetType Project; ""
// when the event names none (it is then counted).
func projectKey(ev *Event) string {
	if id := ev.Get(parser.ColEntityID); id != "" && ev.Get(parser.ColEntityType) == "Project" {
		return id
	}
	if id := ev.Get(parser.ColTargetID); id != "" && ev.Get(parser.ColTargetType) == "Project" {
		return id
	}
	return ""
}

// seen reports whether the project of key had an event counted less than
// window from ns; when not, it records ns as the project's.
func (s *projectSeen) seen(key string, ns, window int64) bool {
	if key == "" {
		return false
	}
	if s.l == nil {
		s.l = newLRU[string, int64](maxSeenProjects)
	}
	if prev, ok := s.l.get(key); ok && ns-*prev < window && *prev-ns < window {
		return true
	}
	*touchClone(s.l, key) = ns // ev's column, in a buffer the engine reuses
	return false
}

// maxSeenProjects bounds projectSeen (defaultMaxKeys, the other rules'
// max_keys default).
const maxSeenProjects = defaultMaxKeys

// expire forgets the projects counted before ns, oldest first.
func (s *projectSeen) expire(ns int64) {
	if s.l == nil {
		return
	}
	for k, t, ok := s.l.front(); ok && *t < ns; k, t, ok = s.l.front() {
		s.l.remove(k)
	}
}

// len returns how many projects are remembered.
func (s *projectSeen) len() int {
	if s.l == nil {
		return 0
	}
	return s.l.len()
}

// live returns the projects remembered, oldest first, for the state file.
func (s *projectSeen) live() []seenValue {
	var out []seenValue
	if s.l != nil {
		s.l.each(func(k string, t *int64) bool {
			out = append(out, seenValue{V: k, Last: *t})
			return true
		})
	}
	return out
}

// restore sets the projects remembered from a state file's.
func (s *projectSeen) restore(vs []seenValue) {
	*s = projectSeen{}
	for _, v := range vs {
		if s.l == nil {
			s.l = newLRU[string, int64](maxSeenProjects)
		}
		*s.l.touch(v.V) = v.Last
	}
}

func newRepoDeletion(p *Params, _ *Env) (Rule, error) {
	r := &repoDeletion{baselineWindow: newBaselineWindow(p), floor: noFloor}
	r.marked = p.Bool("count_marked", false)
	return r, nil
}

func (r *repoDeletion) Info() Info { return repoDeletionSpec().Info }

// Wants asks for project_destroyed and for the lines without EventName
// (legacy `remove: project` lines; Observe filters them), not for a
// RemoveAction column: one dispatch column less for every audit line.
func (r *repoDeletion) Wants() []Key {
	ks := []Key{EventName("project_destroyed"), NoEventName()}
	if r.marked {
		ks = append(ks, EventName("project_deletion_marked"))
	}
	return ks
}

// LateDropped returns the deletions whose window had closed when they came.
func (r *repoDeletion) LateDropped() uint64 { return r.late }

// FallbackMatches returns the deletions recognised by RemoveAction on
// lines without EventName.
func (r *repoDeletion) FallbackMatches() uint64 { return r.fallback }

// Keep implements Filter: a line without EventName only as a legacy
// project removal.
func (r *repoDeletion) Keep(t parser.Type, c Columns) bool {
	return t != parser.TypeAudit || c.Get(parser.ColEventName) != "" || c.Get(parser.ColRemoveAction) == "project"
}

// absentCond implements absentConder: a legacy line only as a project removal.
func (r *repoDeletion) absentCond() cond { return in(parser.ColRemoveAction, "project") }

func (r *repoDeletion) Observe(ev *Event, _ Clock, emit Emit) {
	if ev.Time.IsZero() {
		return
	}
	// When GitLab recorded the deletion (created_at), not when it wrote
	// the line (time, a few milliseconds later), as sentinel.pat_over_time
	// dates a creation: a streamed copy has only created_at, and whichever
	// copy of the event is counted (the file's line or the streamed body,
	// the first read) must fall in the same bucket and give the same alert
	// (fresh-user trial 276: a deletion at 13:59:59.998 written at
	// 14:00:00.005 gave run and detect different windows).
	t := createdTime(ev.Get(parser.ColCreatedAt), ev.Time)
	if ev.Get(parser.ColEventName) == "" {
		if ev.Get(parser.ColRemoveAction) != "project" {
			return
		}
		r.fallback++
	}
	if r.projects.seen(projectKey(ev), t.UnixNano(), int64(r.window)) {
		return
	}
	h := hourOf(t)
	if r.learnFrom == 0 || h < r.learnFrom {
		r.learnFrom = h
	}
	r.hist.add(h, 1)
	r.hist.prune(r.keepFrom(h, r.floor))
	if t.UnixNano() < r.closed || !r.win.add(r.span, t, r.floor) {
		r.late++
		return
	}
	ns := t.UnixNano()
	// The lists keep what the windows held need: runs that end before
	// the floor's bucket are in none.
	floor := r.floor
	if floor != noFloor && floor != restoredFloor {
		floor = floor*r.span.bucket - 1
	}
	r.authors.observe(ev.Get(parser.ColAuthorName), ns, int64(r.window), floor, MaxListed)
	if p := ev.Get(parser.ColEntityPath); p != "" {
		// The window's whole length in buckets: a deletion the window
		// counts is never older than that before the newest.
		r.paths.observe(p, ns, r.span.n*r.span.bucket, floor, MaxListed)
	}
	r.ids.add(ev.Get(parser.ColEventID), ns)
	r.ids.expire(r.win.Slots[0].I * r.span.bucket) // of the buckets the window no longer holds
	// The earliest window over the threshold of those that hold the
	// deletion (see sliding.judge): a deletion older than others already
	// counted (another node's backlog at an aggregator, lines out of
	// order) completes the count of the window time order alerts with.
	var b baseline
	end, ok := r.win.judge(r.span, r.span.index(t), r.floor, func(end int64, n int) bool {
		if float64(n) <= r.bp.Floor {
			return false
		}
		b = r.bp.of(&r.hist, hourOf(r.span.startOf(end)), r.learnFrom)
		return float64(n) > b.Threshold
	})
	if !ok {
		return
	}
	n, first, last := r.win.totalTo(r.span, end)
	start := r.span.startOf(end)
	if quietAround(r.alerted, r.suppress).holds(ns) {
		r.suppressCount.n++
		return
	}
	r.alerted = max(r.alerted, ns)
	// The deletions counted are those of the window's last bucket and the
	// n−1 before.
	from, to := start.UnixNano(), (end+1)*r.span.bucket
	authors, paths := r.authors.in(from, to), r.paths.in(from, to)
	a := &Alert{
		Time:     last, // the last event counted (t, unless t came out of order)
		Columns:  []Column{{"Authors", joinList(authors)}, {"EntityPaths", joinList(paths)}},
		EventIDs: r.ids.ids(from, to),
		Count:    n, Threshold: b.Threshold, HasThreshold: true,
		BaselineMean: b.Mean, BaselineSD: b.SD, HasBaseline: true,
		WindowStart: start, WindowEnd: alertWindowEnd(t, last), FirstEvent: first, LastEvent: last,
		Learning: b.Learning,
	}
	emit(a)
}

func (r *repoDeletion) Advance(wm time.Time, _ Emit) {
	r.closed = max(r.closed, wm.UnixNano()-int64(r.window))
	r.floor = advanceFloor(r.floor, r.span.floorOf(wm))
	r.win.expire(r.floor)
	r.ids.expire(r.floor * r.span.bucket)
	r.projects.expire(r.closed - int64(r.window))
	r.hist.prune(r.keepFrom(hourOf(wm), r.floor))
}

func (r *repoDeletion) Close(Emit) {}

type repoDeletionState struct {
	LearnFrom int64 `json:"learn_from"`
	// Bucket is as bruteforceState's.
	Bucket  int64       `json:"bucket,omitempty"`
	Slots   []slot      `json:"slots"`
	Hours   []hourCount `json:"hours"`
	Authors []seenValue `json:"authors"`
	Alerted int64       `json:"alerted,omitempty"`
	// Paths and IDs are absent in state saved before they were kept.
	Paths []seenValue `json:"paths,omitempty"`
	IDs   idList      `json:"ids,omitempty"`
	// The earlier runs of authors and paths (see spreadVals.old).
	AuthorsEarlier *spreadRuns `json:"authors_earlier,omitempty"`
	PathsEarlier   *spreadRuns `json:"paths_earlier,omitempty"`
	// Projects are the projects counted less than a window ago (absent in
	// state saved before they were kept).
	Projects []seenValue `json:"projects,omitempty"`
}

func (r *repoDeletion) StateVersion() int { return 1 }

func (r *repoDeletion) Snapshot() ([]byte, error) {
	return json.Marshal(repoDeletionState{LearnFrom: r.learnFrom, Bucket: r.span.bucket, Slots: r.win.Slots, Hours: r.hist.hours,
		Authors: r.authors.Seen, Alerted: r.alerted, Paths: r.paths.Seen, IDs: r.ids,
		AuthorsEarlier: r.authors.earlier(), PathsEarlier: r.paths.earlier(), Projects: r.projects.live()})
}

func (r *repoDeletion) Restore(data []byte) error {
	var st repoDeletionState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("sentinel.repo_deletion: %w", err)
	}
	r.learnFrom, r.win.Slots, r.hist.hours, r.authors.Seen, r.alerted = st.LearnFrom, rebucket(st.Slots, st.Bucket, r.span.bucket), st.Hours, st.Authors, st.Alerted
	r.paths.Seen, r.ids = st.Paths, st.IDs.restored()
	r.authors.sorted, r.paths.sorted = false, false
	r.authors.setEarlier(st.AuthorsEarlier)
	r.paths.setEarlier(st.PathsEarlier)
	r.projects.restore(st.Projects)
	r.floor = restoredFloor
	return nil
}

// baselineWindow holds the parameters sentinel.bruteforce and
// sentinel.repo_deletion share: a sliding window compared with an hourly
// baseline, and the suppression after an alert.
type baselineWindow struct {
	span      slidingSpan
	window    time.Duration
	bp        baselineParams
	keepHours int64 // hours of history a baseline from now on can use
	suppress  time.Duration
}

// keepFrom returns the first hour of history to keep after an event in
// hour h, with the rule at floor (see sliding.add): the baselines of the
// windows of h and of every window from floor on.
func (b baselineWindow) keepFrom(h, floor int64) int64 {
	switch floor {
	case noFloor:
		return h - b.keepHours
	case restoredFloor:
		return math.MinInt64 // what was saved, until the watermark moves
	}
	return min(h-b.keepHours, floorDiv(floor*b.span.bucket, int64(time.Hour))-b.bp.Period)
}

// shortBuckets are the buckets a window shorter than an hour slides in
// without a bucket parameter (defaultBucketFor), longest first: each
// divides a minute or 5 minutes, so buckets start on whole times.
var shortBuckets = [...]time.Duration{time.Minute, 30 * time.Second, 15 * time.Second, 10 * time.Second, 5 * time.Second, time.Second}

// minBuckets is how many buckets at least defaultBucketFor gives a window
// shorter than an hour: as many as the default window has (60m in 5m).
const minBuckets = 12

// defaultBucketFor returns the bucket of a window without a bucket
// parameter, one that divides it (a window is made of whole buckets, so
// one that did not would be rounded up: trial 273 counted failures 64
// minutes apart in a 61-minute window): defaultBucket (5m) for a window
// of an hour or more that it divides, else the longest of shortBuckets
// that divides it and, for a window shorter than an hour, gives it at
// least minBuckets buckets, so that a short window slides too; one bucket
// of the window's own length when none does (a window shorter than 12
// seconds, or not of whole seconds).
func defaultBucketFor(window time.Duration) time.Duration {
	if window >= time.Hour && window%defaultBucket == 0 {
		return defaultBucket
	}
	for _, b := range shortBuckets {
		if window%b == 0 && (window >= time.Hour || window >= minBuckets*b) {
			return b
		}
	}
	return window
}

// newBaselineWindow reads window (60m), bucket (defaultBucketFor the window: 5m), learning_period (7d),
// sd_factor (3), min_count (10) and suppress (60m) from p; bad values are
// recorded on p.
func newBaselineWindow(p *Params) baselineWindow {
	var b baselineWindow
	b.window = positiveDuration(p, "window", defaultWindow)
	bucket := positiveDuration(p, "bucket", defaultBucketFor(b.window))
	switch {
	case !p.Has("bucket"):
	case bucket > b.window:
		p.Fail("bucket", fmt.Sprintf("want at most the window (%s): the window slides in steps of bucket", b.window))
	case b.window%bucket != 0:
		p.Fail("bucket", fmt.Sprintf("want a bucket that divides the window (%s), which is made of whole buckets: with %s it would cover %s; give %s, or another divisor",
			WrittenDuration(b.window), WrittenDuration(bucket), WrittenDuration(time.Duration(newSpan(b.window, bucket).n)*bucket), WrittenDuration(defaultBucketFor(b.window))))
	}
	b.span = newSpan(b.window, bucket)
	b.bp = baselineParams{
		Period: int64(positiveDuration(p, "learning_period", defaultLearning) / time.Hour),
		K:      p.Float("sd_factor", defaultSDFactor),
		Floor:  float64(p.Int("min_count", defaultMinCount)),
	}
	if b.bp.Period < int64(MinLearningPeriod/time.Hour) {
		p.Fail("learning_period", "want at least "+WrittenDuration(MinLearningPeriod))
	}
	b.keepHours = b.bp.Period + int64(b.window/time.Hour) + 1
	b.suppress = p.Duration("suppress", defaultSuppression)
	return b
}
