package detect

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
)

// joinStateVersion is the schema version of joinState.
const joinStateVersion = 1

// joinState is the persisted state of a joiner (schema joinStateVersion):
// the alerts held for their audit line and the audit lines held for their
// application line, each oldest first (the order in which the window's end
// and max_keys let them go).
type joinState struct {
	Pending []heldAlert `json:"pending"`
	Sides   []heldSide  `json:"sides"`
}

// heldAlert is an alert waiting for its audit line: everything the rule
// set before holding it, so that it goes out after a restart as it would
// have without one (the alert_id and the columns derive from its Event).
type heldAlert struct {
	CID      string    `json:"k"` // CorrelationID
	Time     time.Time `json:"time"`
	Key      []Column  `json:"key"`
	Columns  []Column  `json:"columns"`
	EventIDs []string  `json:"event_ids"`
	Event    *Event    `json:"event"`
}

// heldSide is an audit line waiting for its application line (a sideRec
// of the joiner's sideRing).
type heldSide struct {
	CID     string    `json:"k"` // CorrelationID
	Time    time.Time `json:"t"`
	EventID string    `json:"event_id"`
	Vals    []string  `json:"vals"` // the values of the joiner's columns, in order
}

// appendState appends the JSON of joinState for what j holds.
func (j *joiner) appendState(dst []byte) []byte {
	dst = append(dst, `{"pending":[`...)
	first := true
	for _, a := range j.spill {
		dst = appendHeldAlert(dst, "", a, first)
		first = false
	}
	j.pending.each(func(cid string, p **Alert) bool {
		dst = appendHeldAlert(dst, cid, *p, first)
		first = false
		return true
	})
	dst = append(dst, `],"sides":[`...)
	first = true
	j.sides.each(func(x *sideRec) {
		dst = j.appendHeldSide(dst, x, first)
		first = false
	})
	return append(dst, "]}"...)
}

// appendHeldSide appends the held side x as the JSON of heldSide, after
// a comma unless first.
func (j *joiner) appendHeldSide(dst []byte, x *sideRec, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"k":`...)
	dst = jsonstr.Append(dst, j.sides.str(x, 0))
	dst = append(dst, `,"t":`...)
	dst = appendTime(dst, x.time())
	dst = append(dst, `,"event_id":`...)
	dst = jsonstr.Append(dst, j.sides.str(x, 1))
	dst = append(dst, `,"vals":[`...)
	for i := range j.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, j.sides.str(x, 2+i))
	}
	return append(dst, "]}"...)
}

// appendHeldAlert appends a, held under CorrelationID cid, as the JSON
// of heldAlert, after a comma unless first.
func appendHeldAlert(dst []byte, cid string, a *Alert, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"k":`...)
	dst = jsonstr.Append(dst, cid)
	dst = append(dst, `,"time":`...)
	dst = appendTime(dst, a.Time)
	dst = append(dst, `,"key":`...)
	dst = appendColumns(dst, a.Key)
	dst = append(dst, `,"columns":`...)
	dst = appendColumns(dst, a.Columns)
	dst = append(dst, `,"event_ids":`...)
	if a.EventIDs == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, id := range a.EventIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonstr.Append(dst, id)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"event":`...)
	dst = appendEvent(dst, a.Event)
	return append(dst, '}')
}

// appendColumns appends cs as encoding/json writes a []Column.
func appendColumns(dst []byte, cs []Column) []byte {
	if cs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, c := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Name":`...)
		dst = jsonstr.Append(dst, c.Name)
		dst = append(dst, `,"Value":`...)
		dst = jsonstr.Append(dst, c.Value)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// restore loads a joinState (appendState's JSON) into j, which must be
// empty. It checks the whole state before it takes any of it: on error j
// is left empty. Alerts beyond max_keys (a smaller max_keys than the
// saving run's) go out at the next advance rather than being dropped;
// audit lines beyond it are dropped, oldest first, and counted as
// evicted. The audit lines are held unindexed, as new ones (see sideRing).
func (j *joiner) restore(data []byte) error {
	var st joinState
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	for i, h := range st.Pending {
		if h.Event == nil {
			return fmt.Errorf("held alert %d has no event", i)
		}
	}
	for i, s := range st.Sides {
		if s.CID == "" || len(s.Vals) != len(j.cols) {
			return fmt.Errorf("held audit line %d: CorrelationID %q with %d values, want one and %d values",
				i, s.CID, len(s.Vals), len(j.cols))
		}
	}
	for _, h := range st.Pending {
		a := &Alert{Time: h.Time, Key: h.Key, Columns: h.Columns, EventIDs: h.EventIDs, Event: h.Event}
		_, held := j.pending.get(h.CID)
		if h.CID == "" || held || j.pending.len() >= j.maxKeys {
			j.spill = append(j.spill, a)
			continue
		}
		*j.pending.touch(h.CID) = a
	}
	for _, s := range st.Sides {
		j.hold(s.CID, s.Time, s.EventID, s.Vals)
	}
	return nil
}

// joinRule is the Stateful implementation of the join rules: the state
// is their joiner's (joinState).
type joinRule struct {
	id   string // the rule id, for errors
	join *joiner
}

// futureTaker is implemented by the Stateful rules that still take the
// events dated more than Config.MaxAhead after the wall clock, which the engine
// keeps from the other Stateful rules' windows: the join rules are
// per-event rules, and their joiner sends such an event's alert out at
// once (see joiner).
type futureTaker interface {
	takesFuture()
}

func (r *joinRule) takesFuture() {}

// StateVersion returns the schema version of joinState.
func (r *joinRule) StateVersion() int { return joinStateVersion }

// Snapshot returns the JSON of joinState.
func (r *joinRule) Snapshot() ([]byte, error) { return r.join.appendState(nil), nil }

func (r *joinRule) appendSnapshot(dst []byte) []byte { return r.join.appendState(dst) }

// Restore loads a Snapshot; on error the rule holds nothing.
func (r *joinRule) Restore(data []byte) error {
	if err := r.join.restore(data); err != nil {
		return fmt.Errorf("%s: %w", r.id, err)
	}
	return nil
}
