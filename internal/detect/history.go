package detect

import (
	"math"
	"sort"
	"time"
)

// dayOf returns the UTC day that contains t, as days since the Unix epoch.
func dayOf(t time.Time) int64 { return floorDiv(t.Unix(), 86400) }

// floorDiv is a / b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// hourCount is one hour of a history: the hour (see hourOf) and its count.
type hourCount struct {
	H int64  `json:"h"`
	N uint32 `json:"n"`
}

// history is a sparse series of hourly counts: only hours with events are
// stored, oldest first, so that a key seen once costs one entry, not 168.
// The zero value is an empty history.
type history struct {
	hours []hourCount
}

// add adds n to hour h. Hours usually arrive in order (an append); an
// older hour is inserted in place.
func (s *history) add(h int64, n uint32) {
	k := len(s.hours)
	if k > 0 && s.hours[k-1].H == h {
		s.hours[k-1].N += n
		return
	}
	if k == 0 || s.hours[k-1].H < h {
		s.hours = append(s.hours, hourCount{H: h, N: n})
		return
	}
	i := sort.Search(k, func(i int) bool { return s.hours[i].H >= h })
	if i < k && s.hours[i].H == h {
		s.hours[i].N += n
		return
	}
	s.hours = append(s.hours, hourCount{})
	copy(s.hours[i+1:], s.hours[i:])
	s.hours[i] = hourCount{H: h, N: n}
}

// prune drops the hours before h.
func (s *history) prune(h int64) {
	i := 0
	for i < len(s.hours) && s.hours[i].H < h {
		i++
	}
	if i > 0 {
		s.hours = append(s.hours[:0], s.hours[i:]...)
	}
}

// empty reports whether the history holds no hour.
func (s *history) empty() bool { return len(s.hours) == 0 }

// baseline is the learned expectation for one hour of one key.
type baseline struct {
	// Mean and SD are the mean and the sample standard deviation (n − 1,
	// as KQL's stdev()) of the hourly counts over the hours used.
	Mean, SD float64
	// Hours is the number of hours used (zero hours included).
	Hours int
	// Threshold is what a count must exceed: max(Mean + K·SD, Floor), or
	// Floor alone while Learning.
	Threshold float64
	// Learning is true when the hours observed do not yet cover the
	// learning period.
	Learning bool
}

// baselineParams are the constants of a baseline: the learning period in
// hours (168 for 7 days), the multiplier of the standard deviation and the
// floor of the threshold.
type baselineParams struct {
	Period int64
	K      float64
	Floor  float64
}

// of computes the baseline of hour h from s: the counts of the Period hours
// before h (h itself excluded), hours without events counting as zero. Only
// hours at or after learnFrom (the first hour the rule observed) are used:
// before it nothing was seen, which is not the same as zero. While fewer
// than Period hours are covered the baseline is Learning and the threshold
// is the floor alone.
func (p baselineParams) of(s *history, h, learnFrom int64) baseline {
	from := h - p.Period
	b := baseline{Learning: from < learnFrom}
	if b.Learning {
		from = learnFrom
	}
	n := h - from
	if n > 0 {
		var sum, sumsq float64
		for _, hc := range s.hours {
			if hc.H < from || hc.H >= h {
				continue
			}
			x := float64(hc.N)
			sum += x
			sumsq += x * x
		}
		b.Hours = int(n)
		b.Mean = sum / float64(n)
		if n > 1 {
			v := (sumsq - sum*sum/float64(n)) / float64(n-1)
			b.SD = math.Sqrt(math.Max(v, 0))
		}
	}
	b.Threshold = p.Floor
	if !b.Learning {
		b.Threshold = math.Max(b.Mean+p.K*b.SD, p.Floor)
	}
	return b
}

// positiveDuration returns duration parameter name (default def), recording
// a *ParamError and returning def when it is 0 or not a duration: windows,
// buckets, learning periods and sessions cannot be empty.
func positiveDuration(p *Params, name string, def time.Duration) time.Duration {
	d := p.Duration(name, def)
	if d <= 0 {
		p.Fail(name, wantPositiveDuration)
		return def
	}
	return d
}
