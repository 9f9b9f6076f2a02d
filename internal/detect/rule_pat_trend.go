package detect

import (
	"math"
	"strings"
)

// patTrend is the optional anomaly mode of sentinel.pat_over_time (what
// tuxnam's rule meant to do): per (author, entity), the daily creations of
// the previous days (days without creations counted as zero; tuxnam's
// query filtered out days with one token before building its series)
// are fitted with a straight line, and today's count alerts when it exceeds
// the line's value for today by more than k residual standard deviations,
// and min_tokens. Until the period has been observed, min_tokens alone
// applies and alerts carry learning=true.
type patTrend struct {
	days      int64   // days fitted (anomaly_days, 30)
	k         float64 // residual sd multiplier (anomaly_sd, 1.5)
	series    *lru[patSeriesKey, history]
	learnFrom int64 // first day observed (dayOf); valid when started
	started   bool
}

// patSeriesKey is one (author, entity) series.
type patSeriesKey struct{ Author, Path string }

// trendFit is the expectation for today from the fitted line.
type trendFit struct {
	Pred, SD, Threshold float64
	Learning            bool
}

// add counts one creation of key k on day.
func (p *patTrend) add(k patSeriesKey, day int64) {
	if !p.started || day < p.learnFrom {
		p.learnFrom, p.started = day, true
	}
	s := p.series.touchOwn(k, func(k patSeriesKey) patSeriesKey {
		return patSeriesKey{strings.Clone(k.Author), strings.Clone(k.Path)}
	})
	s.add(day, 1)
	s.prune(day - p.days)
}

// fit returns the threshold for key k on day: max(line(today) + k·sd,
// floor), or floor while learning.
func (p *patTrend) fit(k patSeriesKey, day int64, floor float64) trendFit {
	n := p.days
	f := trendFit{Threshold: floor, Learning: day-n < p.learnFrom}
	if f.Learning || n < 3 {
		return f
	}
	y := make([]float64, n) // y[i]: day − n + i
	if s, ok := p.series.get(k); ok {
		for _, c := range s.hours {
			if i := c.H - (day - n); i >= 0 && i < n {
				y[i] = float64(c.N)
			}
		}
	}
	a, b := lineFit(y)
	var ssr float64
	for i, v := range y {
		r := v - (a + b*float64(i))
		ssr += r * r
	}
	f.Pred = a + b*float64(n)
	f.SD = math.Sqrt(ssr / float64(n-2))
	f.Threshold = math.Max(f.Pred+p.k*f.SD, floor)
	return f
}

// lineFit returns the least-squares line y = a + b·x through the points
// (i, y[i]).
func lineFit(y []float64) (a, b float64) {
	n := float64(len(y))
	xbar := (n - 1) / 2
	var ybar float64
	for _, v := range y {
		ybar += v
	}
	ybar /= n
	var sxy, sxx float64
	for i, v := range y {
		dx := float64(i) - xbar
		sxy += dx * (v - ybar)
		sxx += dx * dx
	}
	if sxx > 0 {
		b = sxy / sxx
	}
	return ybar - b*xbar, b
}

// expire forgets the series without a creation in the days a fit for day
// would use.
func (p *patTrend) expire(day int64) {
	var old []patSeriesKey
	p.series.each(func(k patSeriesKey, s *history) bool {
		if s.empty() || s.hours[len(s.hours)-1].H < day-p.days {
			old = append(old, k)
		}
		return true
	})
	for _, k := range old {
		p.series.remove(k)
	}
}

// patTrendState is the anomaly mode's part of the snapshot.
type patTrendState struct {
	LearnFrom int64            `json:"learn_from"`
	Started   bool             `json:"started"`
	Series    []patSeriesEntry `json:"series"`
}

type patSeriesEntry struct {
	Author string      `json:"author"`
	Path   string      `json:"path"`
	Days   []hourCount `json:"days"`
}

func (p *patTrend) snapshot() *patTrendState {
	st := &patTrendState{LearnFrom: p.learnFrom, Started: p.started, Series: []patSeriesEntry{}}
	p.series.each(func(k patSeriesKey, s *history) bool {
		st.Series = append(st.Series, patSeriesEntry{k.Author, k.Path, s.hours})
		return true
	})
	return st
}

func (p *patTrend) restore(st *patTrendState) {
	p.learnFrom, p.started = st.LearnFrom, st.Started
	for _, e := range st.Series {
		p.series.touch(patSeriesKey{e.Author, e.Path}).hours = e.Days
	}
}
