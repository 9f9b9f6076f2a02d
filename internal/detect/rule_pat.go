package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// patOverTimeSpec is sentinel.pat_over_time (also the detection catalog's
// "Personal Access Tokens creation over time"): more than min_tokens (1)
// access-token creations by one author on one entity in one UTC day, one
// alert per (AuthorName, EntityPath, day), raised the moment the count
// exceeds min_tokens. The alert lists the EventIDs of the creations it
// counted (at most MaxEventIDs, the most recent).
//
// A creation is an audit event named personal_access_token_created,
// project_access_token_created or group_access_token_created, or, on lines
// without EventName, one whose CustomMessage starts "Created personal access
// token with id ", "Created project access token" or "Created group token
// with token_id". Refused creations ("Attempted to create …", logged under
// the same event name; the Falco rule alerts on them) and revocations
// (project and group access token revocations carry TargetType
// PersonalAccessToken like creations; Sentinel's rule counts them) are not
// counted.
//
// With anomaly true, the threshold is learned per key instead (patTrend):
// today's count must also exceed a straight line fitted to the previous
// anomaly_days (30) days by anomaly_sd (1.5) residual standard deviations.
//
// Parameters: min_tokens (1), max_keys (100000), anomaly (false),
// anomaly_days (30), anomaly_sd (1.5).
func patOverTimeSpec() Spec {
	return Spec{
		Info: Info{
			ID: "sentinel.pat_over_time", Name: "GitLab - Personal Access Tokens creation over time", Kind: KindWindow,
			Severity: SeverityMedium, Tactic: []string{"Collection"}, Technique: []string{"T1213"},
			Description: "More than 1 access token created by one author on one user, project or group in one UTC day.",
		},
		Default: true,
		Params:  []string{"min_tokens", "max_keys", "anomaly", "anomaly_days", "anomaly_sd"},
		New:     newPATOverTime,
	}
}

var patEventNames = [...]string{"personal_access_token_created", "project_access_token_created", "group_access_token_created"}

var patFallbackPrefixes = [...]string{
	"Created personal access token with id ",
	"Created project access token",
	"Created group token with token_id",
}

// patKey is one (author, entity, UTC day).
type patKey struct {
	Author, Path string
	Day          int64
}

type patCount struct {
	N           int
	First, Last int64 // Unix ns
	Alerted     bool
	// IDs are the EventIDs of the creations counted, until the alert
	// that lists them (nil after it: the key alerts once).
	IDs idList
}

// patOverTime implements sentinel.pat_over_time.
type patOverTime struct {
	min      int
	keys     *lru[patKey, patCount]
	late     uint64
	fallback uint64
	// oldestDay is the first day still held (days before it were dropped
	// when the watermark passed them).
	oldestDay int64
	trend     *patTrend // nil unless anomaly is true
}

func newPATOverTime(p *Params, _ *Env) (Rule, error) {
	r := &patOverTime{min: p.Int("min_tokens", 1)}
	max := p.Int("max_keys", defaultMaxKeys)
	if max < 1 {
		p.Fail("max_keys", "want at least 1")
	}
	r.keys = newHashedLRU[patKey, patCount](max)
	// anomaly_days and anomaly_sd are read and checked even when anomaly
	// is off, so that a bad value is an error and setting them is not
	// reported as an unknown parameter.
	days, sd := int64(p.Int("anomaly_days", 30)), p.Float("anomaly_sd", 1.5)
	if days < 3 {
		p.Fail("anomaly_days", "want at least 3")
	}
	if p.Bool("anomaly", false) {
		r.trend = &patTrend{days: days, k: sd, series: newLRU[patSeriesKey, history](max)}
	}
	return r, nil
}

func (r *patOverTime) Info() Info { return patOverTimeSpec().Info }

func (r *patOverTime) Wants() []Key {
	ks := []Key{NoEventName()}
	for _, n := range patEventNames {
		ks = append(ks, EventName(n))
	}
	return ks
}

func (r *patOverTime) Keys() int       { return r.keys.len() }
func (r *patOverTime) Evicted() uint64 { return r.keys.evicted }
func (r *patOverTime) MaxKeys() int    { return r.keys.max }

// LateDropped returns the creations whose day had already been closed.
func (r *patOverTime) LateDropped() uint64 { return r.late }

// Keep implements Filter: token creations only.
func (r *patOverTime) Keep(_ parser.Type, c Columns) bool { return isTokenCreation(c) }

// absentCond implements absentConder: a legacy line only as a token creation
// (isTokenCreation without EventName).
func (r *patOverTime) absentCond() cond {
	return prefix(parser.ColCustomMessage, patFallbackPrefixes[:]...)
}

// isTokenCreation reports whether ev records a successful token creation.
func isTokenCreation(ev Columns) bool {
	msg := ev.Get(parser.ColCustomMessage)
	if name := ev.Get(parser.ColEventName); name != "" {
		return !strings.HasPrefix(msg, "Attempted")
	}
	for _, p := range patFallbackPrefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// FallbackMatches returns the creations recognised by their message on
// lines without EventName.
func (r *patOverTime) FallbackMatches() uint64 { return r.fallback }

func (r *patOverTime) Observe(ev *Event, _ Clock, emit Emit) {
	if ev.Time.IsZero() || !isTokenCreation(ev) {
		return
	}
	if ev.Get(parser.ColEventName) == "" {
		r.fallback++
	}
	// The day of the creation GitLab recorded (created_at), not of the
	// line's write (time), which may fall after midnight: a streamed copy
	// has only created_at, and both copies must count on one day.
	created := createdTime(ev.Get(parser.ColCreatedAt), ev.Time)
	day := dayOf(created)
	if day < r.oldestDay {
		r.late++
		return
	}
	author, path := ev.Get(parser.ColAuthorName), ev.Get(parser.ColEntityPath)
	c := r.keys.touchOwn(patKey{Author: author, Path: path, Day: day}, clonePatKey)
	ns := created.UnixNano()
	if c.N == 0 || ns < c.First {
		c.First = ns
	}
	c.Last = max(c.Last, ns)
	c.N++
	if !c.Alerted {
		c.IDs.add(ev.Get(parser.ColEventID), ns)
	}
	f := trendFit{Threshold: float64(r.min)}
	if r.trend != nil {
		r.trend.add(patSeriesKey{author, path}, day)
		f = r.trend.fit(patSeriesKey{author, path}, day, float64(r.min))
	}
	if float64(c.N) <= f.Threshold || c.Alerted {
		return
	}
	c.Alerted = true
	start := time.Unix(day*86400, 0).UTC()
	a := &Alert{
		// The last creation counted (LastEvent), not this one, which may
		// have come out of order after later ones; a creation's instant,
		// not its line's time, which may fall after midnight.
		Time:  time.Unix(0, c.Last).UTC(),
		Key:   []Column{{parser.ColAuthorName, author}, {parser.ColEntityPath, path}},
		Count: c.N, Threshold: f.Threshold, HasThreshold: true, Learning: f.Learning,
		WindowStart: start, WindowEnd: start.Add(24 * time.Hour),
		FirstEvent: time.Unix(0, c.First).UTC(), LastEvent: time.Unix(0, c.Last).UTC(),
	}
	if r.trend != nil {
		a.BaselineMean, a.BaselineSD, a.HasBaseline = f.Pred, f.SD, true
	}
	a.EventIDs, c.IDs = c.IDs.all(), nil
	emit(a)
}

// Advance drops the days before the watermark's day: their counts can no
// longer change except by late events, which are then counted as dropped.
func (r *patOverTime) Advance(wm time.Time, _ Emit) {
	d := dayOf(wm)
	if d <= r.oldestDay {
		return
	}
	r.oldestDay = d
	r.keys.each(func(k patKey, _ *patCount) bool {
		if k.Day < d {
			r.keys.remove(k) // each allows it
		}
		return true
	})
	if r.trend != nil {
		r.trend.expire(d)
	}
}

func (r *patOverTime) Close(Emit) {}

type patSnapshot struct {
	Author  string `json:"author"`
	Path    string `json:"path"`
	Day     int64  `json:"day"`
	N       int    `json:"n"`
	First   int64  `json:"first"`
	Last    int64  `json:"last"`
	Alerted bool   `json:"alerted,omitempty"`
	IDs     idList `json:"ids,omitempty"` // absent in state saved before the ids were kept
}

type patState struct {
	OldestDay int64          `json:"oldest_day"`
	Counts    []patSnapshot  `json:"counts"`
	Trend     *patTrendState `json:"trend,omitempty"`
}

func (r *patOverTime) StateVersion() int { return 1 }

func (r *patOverTime) Snapshot() ([]byte, error) {
	st := patState{OldestDay: r.oldestDay, Counts: []patSnapshot{}}
	r.keys.each(func(k patKey, c *patCount) bool {
		st.Counts = append(st.Counts, patSnapshot{Author: k.Author, Path: k.Path, Day: k.Day,
			N: c.N, First: c.First, Last: c.Last, Alerted: c.Alerted, IDs: c.IDs})
		return true
	})
	if r.trend != nil {
		st.Trend = r.trend.snapshot()
	}
	return json.Marshal(st)
}

func (r *patOverTime) Restore(data []byte) error {
	var st patState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("sentinel.pat_over_time: %w", err)
	}
	r.oldestDay = st.OldestDay
	for _, s := range st.Counts {
		*r.keys.touch(patKey{s.Author, s.Path, s.Day}) = patCount{N: s.N, First: s.First, Last: s.Last,
			Alerted: s.Alerted, IDs: s.IDs.restored()}
	}
	if r.trend != nil && st.Trend != nil {
		r.trend.restore(st.Trend)
	}
	return nil
}

// clonePatKey returns k with its own copies of the strings, in one
// allocation when both are set (a concatenation with "" would return the
// other string itself).
func clonePatKey(k patKey) patKey {
	if k.Author == "" || k.Path == "" {
		k.Author, k.Path = strings.Clone(k.Author), strings.Clone(k.Path)
		return k
	}
	both := k.Author + k.Path
	k.Author, k.Path = both[:len(k.Author)], both[len(k.Author):]
	return k
}
