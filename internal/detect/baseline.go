package detect

import (
	"math"
	"sort"
	"time"
)

// Hourly keeps, per key, the event counts of each hour of event time over
// a learning period (e.g. 7 days), and gives the mean and standard
// deviation of a key's hourly counts over the closed hours before a given
// hour:
//
//   - hours without events count as zeros (peers' baselines skip them);
//   - the hour being tested never feeds its own baseline;
//   - learning started at the first event the Hourly saw (or SetStart),
//     the same instant for every key: a key first seen after 7 days of
//     learning has a baseline of zeros, not none;
//   - until the period is covered, Baseline.Learning is true.
//
// Counts are stored sparsely (only hours with events), so a key that
// fails once a week costs one entry. At most maxKeys keys are held, the
// least recently counted evicted first. Not safe for concurrent use.
type Hourly[K comparable] struct {
	period int64 // hours
	start  int64 // hour index learning started; valid when started
	begun  bool
	keys   *lru[K, []HourCount]
}

// HourCount is the count of one hour: H is the hour index (Unix time / 1 h).
type HourCount struct {
	H int64  `json:"h"`
	N uint32 `json:"n"`
}

// Baseline is a key's hourly statistics over the closed hours of the
// learning period before the tested hour.
type Baseline struct {
	Mean, SD float64 // population mean and standard deviation of the hourly counts
	Hours    int     // closed hours covered (zero hours included)
	Learning bool    // Hours is less than the period
}

// NewHourly returns an Hourly with the given learning period (rounded
// down to whole hours, at least one) and key cap (0: unbounded).
func NewHourly[K comparable](period time.Duration, maxKeys int) *Hourly[K] {
	h := int64(period / time.Hour)
	if h < 1 {
		h = 1
	}
	return &Hourly[K]{period: h, keys: newLRU[K, []HourCount](maxKeys)}
}

func hourOf(t time.Time) int64 { return t.Unix() / 3600 }

// SetStart sets the instant learning started (normally the first event);
// a restored snapshot sets it too.
func (h *Hourly[K]) SetStart(t time.Time) {
	h.start, h.begun = hourOf(t), true
}

// Start returns the start of the hour learning started, or the zero Time.
func (h *Hourly[K]) Start() time.Time {
	if !h.begun {
		return time.Time{}
	}
	return time.Unix(h.start*3600, 0).UTC()
}

// Add counts n events of key k in the hour of event time t. Counts older
// than the learning period before the key's newest hour are dropped. A
// new k is kept as given: one made of an Event's values must be a copy
// (see Event).
func (h *Hourly[K]) Add(k K, t time.Time, n int) {
	hr := hourOf(t)
	if !h.begun || hr < h.start {
		h.SetStart(t)
	}
	p := h.keys.touch(k)
	hs := *p
	i := sort.Search(len(hs), func(i int) bool { return hs[i].H >= hr })
	switch {
	case i < len(hs) && hs[i].H == hr:
		hs[i].N += uint32(n)
	default:
		hs = append(hs, HourCount{})
		copy(hs[i+1:], hs[i:])
		hs[i] = HourCount{H: hr, N: uint32(n)}
	}
	*p = trimHours(hs, hs[len(hs)-1].H-h.period)
}

// trimHours drops the counts of hours before cut.
func trimHours(hs []HourCount, cut int64) []HourCount {
	i := 0
	for i < len(hs) && hs[i].H < cut {
		i++
	}
	if i == 0 {
		return hs
	}
	return append(hs[:0], hs[i:]...)
}

// Count returns k's count in the hour of t.
func (h *Hourly[K]) Count(k K, t time.Time) int {
	p, ok := h.keys.get(k)
	if !ok {
		return 0
	}
	hr := hourOf(t)
	for _, c := range *p {
		if c.H == hr {
			return int(c.N)
		}
	}
	return 0
}

// Stats returns k's baseline for the hour of t: the closed hours
// [hour(t) − period, hour(t)) that lie after learning started.
func (h *Hourly[K]) Stats(k K, t time.Time) Baseline {
	hr := hourOf(t)
	from := hr - h.period
	if h.begun && h.start > from {
		from = h.start
	}
	hours := hr - from
	if !h.begun || hours <= 0 {
		return Baseline{Learning: true}
	}
	var sum, sq float64
	if p, ok := h.keys.get(k); ok {
		for _, c := range *p {
			if c.H >= from && c.H < hr {
				x := float64(c.N)
				sum += x
				sq += x * x
			}
		}
	}
	n := float64(hours)
	mean := sum / n
	v := sq/n - mean*mean
	if v < 0 {
		v = 0
	}
	return Baseline{Mean: mean, SD: math.Sqrt(v), Hours: int(hours), Learning: hours < h.period}
}

// Expire forgets keys with no count in the learning period before
// watermark (their baseline is all zeros, the same as an unknown key's).
func (h *Hourly[K]) Expire(watermark time.Time) {
	cut := hourOf(watermark) - h.period
	h.keys.each(func(k K, p *[]HourCount) bool {
		hs := *p
		if len(hs) > 0 && hs[len(hs)-1].H >= cut {
			return false
		}
		h.keys.remove(k)
		return true
	})
}

// Len returns the number of keys held.
func (h *Hourly[K]) Len() int { return h.keys.len() }

// Evicted returns how many keys were evicted at the cap.
func (h *Hourly[K]) Evicted() uint64 { return h.keys.evicted }

// HourlyEntry is one key's hour counts, for snapshots.
type HourlyEntry[K comparable] struct {
	Key   K           `json:"key"`
	Hours []HourCount `json:"hours"`
}

// Entries returns every key's counts, least recently counted first.
func (h *Hourly[K]) Entries() []HourlyEntry[K] {
	out := make([]HourlyEntry[K], 0, h.keys.len())
	h.keys.each(func(k K, p *[]HourCount) bool {
		out = append(out, HourlyEntry[K]{Key: k, Hours: append([]HourCount(nil), (*p)...)})
		return true
	})
	return out
}

// Load adds entries from Entries (call SetStart with the saved Start too).
func (h *Hourly[K]) Load(entries []HourlyEntry[K]) {
	for _, e := range entries {
		p := h.keys.touch(e.Key)
		hs := append([]HourCount(nil), e.Hours...)
		sort.Slice(hs, func(i, j int) bool { return hs[i].H < hs[j].H })
		*p = hs
	}
}
