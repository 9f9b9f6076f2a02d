package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
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
	// ID is the alert_id: a stable hash of the rule id, the key columns
	// (canonical, see canonKey) and the window start (aggregated rules) or
	// the event's identity
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
	// suppression is per (rule, Key), Key taken canonical (see canonKey).
	Key []Column
	// canon, when not nil, is Key with its values in canonical form, where
	// Key keeps them as logged: sentinel.ti_malicious_ip's IPAddress
	// ::ffff:81.2.69.142 is 81.2.69.142 here, fe80::1%eth0 is fe80::1.
	// Suppression and the alert_id use it (see canonKey); the alert shows
	// Key.
	canon []Column
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
	// The window holds every event counted: LastEvent is never after
	// WindowEnd. A sliding-window rule's window ends at its triggering
	// event, or at LastEvent when that is later: an out-of-order event
	// folded into a window that already holds later events extends the
	// window it reports to them (see alertWindowEnd), within the rule's
	// window length.
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

	// quietKey and quietUntil are the suppression the alert set (Quiet).
	quietKey   string
	quietUntil time.Time
}

// Quiet returns the suppression the engine set when it emitted the alert:
// key, an opaque string naming the rule and the alert's key columns, and
// the event time until which alerts of that key are suppressed. key is ""
// when the rule does not suppress. Engine.Quiet takes them back, so that
// a restart whose saved state predates the alert keeps the key quiet.
func (a *Alert) Quiet() (key string, until time.Time) { return a.quietKey, a.quietUntil }

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

// canonKey returns the key that suppression and the alert_id use: the
// canonical form of Key when the rule gave one, else Key.
func (a *Alert) canonKey() []Column {
	if a.canon != nil {
		return a.canon
	}
	return a.Key
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
	var buf [512]byte
	b := appendIDHead(buf[:0], rule, key)
	b = append(b, anchor...)
	return sumID(append(b, 0))
}

// appendIDHead appends to b the parts of an alert_id before the anchor:
// rule and each key column's name and value, each NUL-terminated.
func appendIDHead(b []byte, rule string, key []Column) []byte {
	b = append(append(b, rule...), 0)
	for _, c := range key {
		b = append(append(b, c.Name...), 0)
		b = append(append(b, c.Value...), 0)
	}
	return b
}

// sumID returns the alert_id of the NUL-terminated parts b.
func sumID(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// idLen is the length of an alert_id: 32 hex digits.
const idLen = 32

// AlertIDLen is the length of an alert_id (Alert.ID): 32 lower-case hex
// digits, the first 16 bytes of a SHA-256.
const AlertIDLen = idLen

// id returns the alert_id of a (AlertID of its rule, canonical key and
// anchor),
// using buf as scratch space; it returns buf, grown, for reuse. The
// alert_id's text is a piece of s, written once: ids cost no allocation
// of their own.
func (a *Alert) id(buf []byte, s *slab) (string, []byte) {
	b := appendIDHead(buf[:0], a.Info.ID, a.canonKey())
	b = append(a.appendAnchor(b), 0)
	sum := sha256.Sum256(b)
	t := s.take(idLen)
	hex.Encode(t, sum[:idLen/2])
	return unsafe.String(unsafe.SliceData(t), idLen), b
}

// anchor returns the identity AlertID uses when the rule gave no ID: the
// window start, else the triggering event's EventID and creation time
// (as Engine.duplicate tells events apart, but without EventName, which
// one copy of an event may lack), else its time and, for an event of the
// application log that has a copy in the log's other form, its Message
// (copyMessage), else GitLab's line (gitlabLine: without the NUL padding
// before it).
func (a *Alert) anchor() string { return string(a.appendAnchor(nil)) }

// appendAnchor appends a.anchor() to b.
func (a *Alert) appendAnchor(b []byte) []byte {
	switch {
	case !a.WindowStart.IsZero():
		return appendRFC3339(b, a.WindowStart.UTC())
	case a.Event != nil:
		// Most events that alert have no EventID (legacy audit lines):
		// one scan finds that, the others only follow an EventID.
		if id := a.Event.Get(parser.ColEventID); id != "" {
			// Not the name: a copy of the event without one (see
			// Engine.duplicate) has the same alert_id.
			b = append(append(b, id...), 0, 0)
			return appendRFC3339(b, createdTime(a.Event.Get(parser.ColCreatedAt), a.Event.Time)) // Event.eventTime
		}
		b = append(appendRFC3339(b, a.Event.Time), 0)
		if msg, ok := copyMessage(a.Event); ok {
			// Either copy of an event GitLab wrote to both application
			// logs (see Engine.duplicateCopy) counts first: both give
			// this alert_id when their times agree to the millisecond.
			return append(append(b, "message\x00"...), msg...)
		}
		return append(b, gitlabLine(a.Event.Raw)...)
	}
	return appendRFC3339(b, a.Time.UTC())
}

// alertWindowEnd returns the WindowEnd of an alert that an event at t
// triggered, whose window's last counted event is at last: the later of
// the two, so the reported window holds every event it counts.
func alertWindowEnd(t, last time.Time) time.Time {
	if last.After(t) {
		return last
	}
	return t
}
