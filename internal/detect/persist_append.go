package detect

import (
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
)

// The snapshots are written by the append functions of this file rather
// than by encoding/json's reflection: Engine.Save runs at shutdown with the
// engine's and the rules' state at up to their bounds (a million recent
// ids, max_keys sessions, max_pending held events), where reflection and
// a Marshaler per item cost seconds. Each writes exactly the JSON that
// encoding/json writes for the same value (the struct tags of the types),
// up to the escaping of <, > and & and the order of map keys, so the
// decoders (json.Unmarshal in load and Restore) are unchanged and files of
// either writer load; the positions are written in the order of their
// names. TestSnapshotEncoding holds the two to the same
// decoded value.

// appendTime appends t as encoding/json does (RFC 3339 with nanoseconds).
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// recentItemJSON is the length of one item of appendRecentItems with a
// 19-digit time and its comma.
const recentItemJSON = len(`{"k":"00000000000000000000000000000000","t":1717164000240000000},`)

// appendRecentItems appends items as a JSON array of
// {"k":"<32 hex digits>","t":<Unix ns>} (recentItem.MarshalJSON).
func appendRecentItems(dst []byte, items []recentItem) []byte {
	if items == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"k":"`...)
		dst = hex.AppendEncode(dst, items[i].K[:])
		dst = append(dst, `","t":`...)
		dst = strconv.AppendInt(dst, items[i].T, 10)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendEngineState appends es as the JSON of engineState.
func appendEngineState(dst []byte, es *engineState) []byte {
	dst = slices.Grow(dst, 256+recentItemJSON*(len(es.Events)+len(es.Alerts))+64*len(es.Suppress))
	dst = append(dst, `{"watermark":`...)
	dst = appendTime(dst, es.Watermark)
	dst = append(dst, `,"positions":{`...)
	names := make([]string, 0, len(es.Positions))
	for name := range es.Positions {
		names = append(names, name)
	}
	slices.Sort(names) // a snapshot is a function of the state, not of map order
	for i, name := range names {
		p := es.Positions[name]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, name)
		dst = append(dst, `:{"file_id":`...)
		dst = jsonstr.Append(dst, p.FileID)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, p.Offset, 10)
		if p.Check != nil {
			dst = append(dst, `,"check":{"line":`...)
			dst = strconv.AppendInt(dst, p.Check.Line, 10)
			dst = append(dst, `,"sum":`...)
			dst = jsonstr.Append(dst, p.Check.Sum)
			dst = append(dst, '}')
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `},"events":`...)
	dst = appendRecentItems(dst, es.Events)
	dst = append(dst, `,"alerts":`...)
	dst = appendRecentItems(dst, es.Alerts)
	dst = append(dst, `,"suppress":`...)
	if es.Suppress == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, it := range es.Suppress {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"k":`...)
			dst = jsonstr.Append(dst, it.K)
			if !it.From.IsZero() {
				dst = append(dst, `,"from":`...)
				dst = appendTime(dst, it.From)
			}
			dst = append(dst, `,"until":`...)
			dst = appendTime(dst, it.Until)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(es.Held) > 0 {
		dst = append(dst, `,"held":[`...)
		for i, it := range es.Held {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"rules":[`...)
			for j, id := range it.Rules {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = jsonstr.Append(dst, id)
			}
			dst = append(dst, `],"event":`...)
			dst = appendEvent(dst, it.Event)
			if it.Copy != "" {
				dst = append(dst, `,"copy":`...)
				dst = jsonstr.Append(dst, it.Copy)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(es.LogNewest) > 0 {
		dst = append(dst, `,"log_newest":{`...)
		for i, name := range slices.Sorted(maps.Keys(es.LogNewest)) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonstr.Append(dst, name)
			dst = append(dst, ':')
			dst = appendTime(dst, es.LogNewest[name])
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendEvent appends ev as encoding/json writes an *Event (no tags: the
// field names; null for nil).
func appendEvent(dst []byte, ev *Event) []byte {
	if ev == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"Type":`...)
	dst = strconv.AppendUint(dst, uint64(ev.Type), 10)
	dst = append(dst, `,"Time":`...)
	dst = appendTime(dst, ev.Time)
	dst = append(dst, `,"Columns":`...)
	dst = appendColumns(dst, ev.Columns)
	dst = append(dst, `,"Raw":`...)
	dst = jsonstr.Append(dst, ev.Raw)
	dst = append(dst, `,"Source":`...)
	dst = jsonstr.Append(dst, ev.Source)
	dst = append(dst, `,"Origin":`...)
	dst = strconv.AppendUint(dst, uint64(ev.Origin), 10)
	dst = append(dst, `,"FileID":`...)
	dst = jsonstr.Append(dst, ev.FileID)
	dst = append(dst, `,"Offset":`...)
	dst = strconv.AppendInt(dst, ev.Offset, 10)
	dst = append(dst, `,"Host":`...)
	dst = jsonstr.Append(dst, ev.Host)
	return append(dst, '}')
}

// appendImpSession appends s as the JSON of impSession.
func appendImpSession(dst []byte, s *impSession) []byte {
	dst = append(dst, `{"start":`...)
	dst = strconv.AppendInt(dst, s.Start, 10)
	if s.Stop != 0 {
		dst = append(dst, `,"stop":`...)
		dst = strconv.AppendInt(dst, s.Stop, 10)
	}
	dst = append(dst, `,"admin":`...)
	dst = jsonstr.Append(dst, s.Admin)
	dst = append(dst, `,"admin_id":`...)
	dst = jsonstr.Append(dst, s.AdminID)
	dst = append(dst, `,"admin_user":`...)
	dst = jsonstr.Append(dst, s.AdminUser)
	dst = append(dst, `,"user":`...)
	dst = jsonstr.Append(dst, s.User)
	return append(dst, '}')
}

// appendImpersonationState appends the JSON of impersonationState for the
// rule's watermark, sessions (oldest key first), held events and
// look-back.
func (r *impersonation) appendState(dst []byte) []byte {
	dst = append(dst, `{"watermark":`...)
	dst = appendTime(dst, r.wm)
	dst = append(dst, `,"sessions":[`...)
	first := true
	r.sessions.each(func(k sessKey, ss *[]impSession) bool {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `{"k":`...)
		dst = jsonstr.Append(dst, k.String())
		dst = append(dst, `,"sessions":`...)
		if *ss == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for i := range *ss {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendImpSession(dst, &(*ss)[i])
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
		return true
	})
	dst = append(dst, `],"pending":`...)
	if r.pending == nil {
		dst = append(dst, "null"...)
		return append(r.appendLookBack(dst), '}')
	}
	dst = append(dst, '[')
	for i := range r.pending {
		if i > 0 {
			dst = append(dst, ',')
		}
		p := &r.pending[i]
		dst = append(dst, `{"ev":`...)
		dst = appendEvent(dst, p.Ev)
		dst = append(dst, `,"class":`...)
		dst = strconv.AppendUint(dst, uint64(p.Class), 10)
		dst = append(dst, `,"seq":`...)
		dst = strconv.AppendUint(dst, p.Seq, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	return append(r.appendLookBack(dst), '}')
}
