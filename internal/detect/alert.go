package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// MaxEventIDs caps Alert.EventIDs.
const MaxEventIDs = 20

// Alert is one detection. Aggregated rules fill Count and the window and
// baseline fields; per-event rules set Event. Fields left zero are not
// written out (see the alert encoders).
type Alert struct {
	// Info is the rule's description, with the configured severity. The
	// engine fills it when the rule leaves ID empty.
	Info Info
	// ID is the alert_id: a stable hash of the rule id, the key columns and
	// the window start (aggregated rules) or the event's identity
	// (per-event rules), so that a SIEM can deduplicate what at-least-once
	// delivery repeats; it is the same after a restart. The engine computes it with
	// AlertID when the rule leaves it empty.
	ID string
	// Time is the event time at which the condition was met (the last event
	// counted). It is the syslog TIMESTAMP.
	Time time.Time
	// DetectedAt is the wall-clock time of detection; the engine sets it.
	DetectedAt time.Time
	// Key are the columns the rule groups by, e.g. Username and IPAddress;
	// suppression is per (rule, Key).
	Key []Column
	// Columns are further alert columns under our column names, e.g.
	// Indicator, Authors, SessionAdmin.
	Columns []Column
	// Count is the number of (deduplicated) events counted; 0 for per-event
	// rules.
	Count int
	// Threshold is the value Count had to exceed; valid when HasThreshold.
	Threshold    float64
	HasThreshold bool
	// BaselineMean and BaselineSD are the key's hourly baseline; valid when
	// HasBaseline.
	BaselineMean, BaselineSD float64
	HasBaseline              bool
	// WindowStart and WindowEnd bound the window counted (zero: none).
	WindowStart, WindowEnd time.Time
	// FirstEvent and LastEvent are the times of the first and last events
	// counted (zero: none).
	FirstEvent, LastEvent time.Time
	// EventIDs are the EventIDs of the events counted, at most MaxEventIDs.
	EventIDs []string
	// Learning is true when the baseline did not yet cover its learning
	// period and the floor threshold alone applied.
	Learning bool
	// Event is the triggering event for per-event rules, else nil.
	Event *Event
	// Nodes are the nodes (HOSTNAMEs) the alert's events came from over
	// the network inputs, sorted; the engine fills it. nil for events read
	// from files or streamed.
	Nodes []string
}

// Get returns the value of the key or alert column name, or "".
func (a *Alert) Get(name string) string {
	for _, cs := range [][]Column{a.Key, a.Columns} {
		for _, c := range cs {
			if c.Name == name {
				return c.Value
			}
		}
	}
	return ""
}

// AddEventID appends id to EventIDs unless it is empty or the cap is
// reached.
func (a *Alert) AddEventID(id string) {
	if id != "" && len(a.EventIDs) < MaxEventIDs {
		a.EventIDs = append(a.EventIDs, id)
	}
}

// AlertID returns the alert_id for rule, key columns and anchor (the window
// start in RFC 3339 for aggregated rules, the event identity for per-event
// rules): 32 hex digits of SHA-256 over the parts, each NUL-terminated.
func AlertID(rule string, key []Column, anchor string) string {
	h := sha256.New()
	w := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	w(rule)
	for _, c := range key {
		w(c.Name)
		w(c.Value)
	}
	w(anchor)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// anchor returns the identity AlertID uses when the rule gave no ID: the
// window start, else the triggering event's EventID, EventName and time,
// else a hash of its raw line and time.
func (a *Alert) anchor() string {
	switch {
	case !a.WindowStart.IsZero():
		return a.WindowStart.UTC().Format(time.RFC3339Nano)
	case a.Event != nil && a.Event.Get("EventID") != "":
		return a.Event.Get("EventID") + "\x00" + a.Event.Get("EventName") + "\x00" +
			a.Event.eventTime().Format(time.RFC3339Nano)
	case a.Event != nil:
		return a.Event.Time.Format(time.RFC3339Nano) + "\x00" + a.Event.Raw
	}
	return a.Time.UTC().Format(time.RFC3339Nano)
}
