package detect

import (
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// eventRow is one row of the per-event rule table (rules_table.go): which
// events a rule looks at and what must hold for one to alert.
type eventRow struct {
	info Info
	// names are the EventName values (audit lines and streamed bodies).
	names []string
	// kinds are application-log EventKind values.
	kinds []string
	// fallback selects audit lines WITHOUT EventName (legacy writers and
	// releases before the Auditor wrote event_name); nil: such lines never
	// match.
	fallback cond
	// when must hold for every candidate event (named or fallback); nil:
	// always.
	when cond
	// key are the alert's key columns; nil means EventID (when present).
	key []string
	// suppress is the default quiet period per key (0: every event alerts).
	suppress time.Duration
	// params are the parameters the rule reads (see paramWhen).
	params []string
	// paramWhen, when set, builds an extra condition from the parameters.
	paramWhen func(p *Params) (cond, error)
}

// eventRule runs one eventRow.
type eventRule struct {
	row      *eventRow
	extra    cond // from paramWhen; nil: none
	fallback uint64
	// alert is the alert Observe emits, reused: an Emit must not keep an
	// alert past its call (see Emit), so one per rule serves them all.
	alert eventAlert
}

// FallbackMatches implements FallbackCounter.
func (r *eventRule) FallbackMatches() uint64 { return r.fallback }

func (r *eventRule) Info() Info { return r.row.info }

// Wants returns the row's event names and kinds, plus audit lines without
// EventName when the row has a fallback.
func (r *eventRule) Wants() []Key {
	var ks []Key
	for _, n := range r.row.names {
		ks = append(ks, EventName(n))
	}
	for _, k := range r.row.kinds {
		ks = append(ks, EventKind(k))
	}
	if r.row.fallback != nil {
		ks = append(ks, NoEventName())
	}
	return ks
}

// Keep implements Filter: the row's conditions (fallback for audit lines
// without EventName, when, and the parameters' condition).
func (r *eventRule) Keep(t parser.Type, c Columns) bool {
	if t == parser.TypeAudit && c.Get(parser.ColEventName) == "" &&
		(r.row.fallback == nil || !r.row.fallback.match(c)) {
		return false
	}
	if r.row.when != nil && !r.row.when.match(c) {
		return false
	}
	return r.extra == nil || r.extra.match(c)
}

// absentCond implements absentConder: on a line without EventName, Keep
// is the fallback, when and the parameters' condition; without fallback
// it never holds.
func (r *eventRule) absentCond() cond {
	if r.row.fallback == nil {
		return anyOf{}
	}
	c := allOf{r.row.fallback}
	if r.row.when != nil {
		c = append(c, r.row.when)
	}
	if r.extra != nil {
		c = append(c, r.extra)
	}
	return c
}

// matches reports whether ev alerts under the row.
func (r *eventRule) matches(ev *Event) bool {
	if !r.Keep(ev.Type, ev) {
		return false
	}
	if ev.Type == parser.TypeAudit && ev.Get(parser.ColEventName) == "" {
		r.fallback++
	}
	return true
}

func (r *eventRule) Observe(ev *Event, _ Clock, emit Emit) {
	if !r.matches(ev) {
		return
	}
	p := &r.alert
	*p = eventAlert{Alert: Alert{Time: ev.Time, Event: ev}}
	a := &p.Alert
	keys := r.row.key
	if keys == nil {
		keys = eventIDKey
	}
	for _, k := range keys {
		if v := ev.Get(k); v != "" {
			if a.Key == nil {
				a.Key = p.key[:0]
			}
			a.Key = append(a.Key, Column{Name: k, Value: v})
		}
	}
	if id := ev.Get(parser.ColEventID); id != "" {
		a.EventIDs = append(p.ids[:0], id)
	}
	emit(a)
	p.Alert = Alert{} // keeps nothing of ev past Process
}

// eventIDKey is the key of a row without one.
var eventIDKey = []string{parser.ColEventID}

// eventAlert is an alert of an eventRule with room for its Key and
// EventIDs: one allocation for all three (Key and EventIDs stay nil when
// empty, as they would be appended to).
type eventAlert struct {
	Alert
	key [1]Column // the rows key on one column; a longer key grows out of it
	ids [1]string
}

func (r *eventRule) Advance(time.Time, Emit) {}
func (r *eventRule) advancesNothing()        {}
func (r *eventRule) Close(Emit)              {}

// spec returns the catalogue entry of the row.
func (row *eventRow) spec() Spec {
	return Spec{
		Info:     row.info,
		Default:  true,
		Params:   row.params,
		Suppress: row.suppress,
		New: func(p *Params, _ *Env) (Rule, error) {
			r := &eventRule{row: row}
			if row.paramWhen != nil {
				c, err := row.paramWhen(p)
				if err != nil {
					return nil, err
				}
				r.extra = c
			}
			return r, nil
		},
	}
}
