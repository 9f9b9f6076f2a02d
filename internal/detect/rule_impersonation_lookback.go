package detect

import (
	"maps"
	"slices"
	"strconv"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// LookBackEvicted implements LookBackCounter.
func (r *impersonation) LookBackEvicted() uint64 { return r.lb.evicted }

// declinedPicker reads the columns declined needs in one pass: those
// classify reads of an audit line, ImpersonatedBy and those of
// actionKeys.
var declinedPicker = newPicker(parser.ColCustomMessage, parser.ColEventName, parser.ColImpersonatedBy, parser.ColAuthorID, "meta.user")

// actionKeys returns the session keys an audit action is looked up by:
// its AuthorID (sessions keyed by id) and its meta.user (by name).
func actionKeys(c Columns) [2]sessKey {
	return [2]sessKey{{V: c.Get(parser.ColAuthorID)}, {ByName: true, V: c.Get("meta.user")}}
}

// keepsDeclined implements decliner: the look-back is on when both of
// its caps (max_lookback, max_lookback_bytes) are above 0.
func (r *impersonation) keepsDeclined() bool { return r.lb.maxLines > 0 && r.lb.maxBytes > 0 }

// declined implements decliner: ev is an audit line WantLine dropped
// (its user was not watched then). When a session of its user already
// covers its time, ev is held as an action now; otherwise, unless the
// watermark passed it, a copy goes to the look-back, where the start of a
// session folded later finds it (takeLookBack).
func (r *impersonation) declined(ev *Event, emit Emit) {
	if ev.Time.IsZero() || ev.Type != parser.TypeAudit {
		return
	}
	v := declinedPicker.pick(ev)
	msg, name := v[0], v[1]
	if v[2] != "" || name == "user_impersonation" || msg == "Started Impersonation" || msg == "Stopped Impersonation" {
		return // wanted whatever the watch (WantLine): not an action held back
	}
	if ev.FileID != "" && r.wasObserved(ev) {
		return // Process gave it to the rule: other rules wanted it, and WantLine did when asked again
	}
	if ev.FileID != "" {
		p, ok := r.lbPos[ev.Source]
		if ok && p.FileID == ev.FileID && ev.Offset <= p.Offset {
			return // read again after a restart: handled before the save
		}
		if !ok || p.FileID != ev.FileID {
			p.FileID = ev.FileID // the caller's string per file: may be kept
		}
		p.Offset = ev.Offset
		r.lbPos[ev.Source] = p
	}
	keys := [2]sessKey{{V: v[3]}, {ByName: true, V: v[4]}} // as actionKeys
	if keys[0].V == "" && keys[1].V == "" {
		return
	}
	t := ev.Time.UnixNano()
	if r.covered(keys, t) {
		r.Observe(ev, nil, emit)
		return
	}
	if (!r.wm.IsZero() && t < r.wm.UnixNano()) || r.lb.maxLines == 0 {
		return // no start can be folded before it any more
	}
	l := lookBackLine{T: t, Raw: ev.Raw, Type: ev.Type, Source: ev.Source, Origin: ev.Origin,
		FileID: ev.FileID, Offset: ev.Offset, Host: ev.Host}
	for i, k := range keys {
		if k.V != "" {
			l.K[i] = keyHash(k)
		}
	}
	r.lb.add(l)
	if r.lb.evicted > 0 && !r.warned && r.log != nil {
		r.warned = true
		r.log.Warn("sentinel.impersonation: look-back full, oldest lines dropped: an action read long before its session's start in another file (one file read far ahead of another, e.g. a backlog caught up) is not attributed; raise max_lookback or max_lookback_bytes (see detect_lookback_evicted_total)",
			"max_lookback", r.lb.maxLines, "max_lookback_bytes", r.lb.maxBytes)
	}
}

// maxObserved bounds the positions observed keeps per source: more than
// a batch of lines (the agent's are at most 1024).
const maxObserved = 4096

// noteObserved records the position of an action Observe was given.
func (r *impersonation) noteObserved(ev *Event) {
	q := r.observed[ev.Source]
	if len(q) >= maxObserved {
		q = append(q[:0], q[len(q)/2:]...)
	}
	r.observed[ev.Source] = append(q, position{FileID: ev.FileID, Offset: ev.Offset})
}

// wasObserved reports whether Observe was given ev (its source, file and
// offset), forgetting the positions before it: declined is given a
// source's lines in file order, after Process was given them.
func (r *impersonation) wasObserved(ev *Event) bool {
	q, ok := r.observed[ev.Source]
	if !ok {
		return false
	}
	i := 0
	for i < len(q) && (q[i].FileID != ev.FileID || q[i].Offset < ev.Offset) {
		i++
	}
	hit := i < len(q) && q[i].Offset == ev.Offset
	if hit {
		i++
	}
	switch {
	case i == len(q):
		delete(r.observed, ev.Source)
	case i > 0:
		r.observed[ev.Source] = append(q[:0], q[i:]...)
	}
	return hit
}

// covered reports whether a session folded for one of keys covers t
// (Unix ns). The watch, read first, holds every user with a session.
func (r *impersonation) covered(keys [2]sessKey, t int64) bool {
	for _, k := range keys {
		if k.V == "" || !r.watch.has(k) {
			continue
		}
		if ss, ok := r.sessions.get(k); ok {
			for i := range *ss {
				if s := &(*ss)[i]; s.Start <= t && t < s.end(r.maxSession) {
					return true
				}
			}
		}
	}
	return false
}

// takeLookBack holds as actions the look-back's lines of the user of the
// start ev from its time to max_session after it: lines read before the
// start that a session now covers (the folded start decides, when they are
// evaluated in time order).
func (r *impersonation) takeLookBack(ev *Event) {
	if r.lb.len() == 0 {
		return
	}
	key, _ := sessionKey(ev.Type, ev)
	if key.V == "" {
		return
	}
	from := ev.Time.UnixNano()
	r.lb.take(keyHash(key), from, from+int64(r.maxSession), func(l *lookBackLine) bool {
		a := r.reparse(l)
		if a == nil {
			return true // it parsed when it was read: not an action now
		}
		ks := actionKeys(a)
		if ks[0] != key && ks[1] != key {
			return false // another user whose key has the same hash
		}
		r.seq++
		r.pending.push(pendingEvent{Ev: a, Class: impAction, Seq: r.seq})
		return true
	})
}

// reparse returns the event of a look-back line as the agent made it:
// parsed again, with the GeoIP columns of its IPAddress; nil when it does
// not parse.
func (r *impersonation) reparse(l *lookBackLine) *Event {
	if l.Type <= parser.TypeUnknown || l.Type >= parser.NumTypes {
		return nil
	}
	p := r.parsers[l.Type]
	if p == nil {
		if p = parser.New(l.Type); p == nil {
			return nil
		}
		r.parsers[l.Type] = p
	}
	raw := []byte(l.Raw)
	r.rec.Reset()
	if err := p.Parse(raw, &r.rec); err != nil {
		return nil
	}
	var extra []parser.Field
	if r.geo != nil {
		if ip, ok := r.rec.Get(parser.ColIPAddress); ok {
			r.geoBuf = r.geo.AppendFields(r.geoBuf[:0], ip)
			extra = r.geoBuf
		}
	}
	ev := AllocEvent(len(r.rec.Fields) + len(extra))
	ev.Fill(&r.rec, raw, extra...)
	ev.Source, ev.Origin, ev.FileID, ev.Offset, ev.Host = l.Source, l.Origin, l.FileID, l.Offset, l.Host
	clear(r.geoBuf)
	r.rec.Reset()
	return ev
}

// appendLookBack appends the look-back fields of impersonationState
// (",\"lookback\":[...],\"lookback_pos\":{...}"), omitted when empty, as
// encoding/json writes them.
func (r *impersonation) appendLookBack(dst []byte) []byte {
	first := true
	r.lb.each(func(l *lookBackLine) {
		if first {
			dst = append(dst, `,"lookback":[`...)
			first = false
		} else {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"t":`...)
		dst = strconv.AppendInt(dst, l.T, 10)
		dst = append(dst, `,"k":[`...)
		dst = strconv.AppendUint(dst, l.K[0], 10)
		dst = append(dst, ',')
		dst = strconv.AppendUint(dst, l.K[1], 10)
		dst = append(dst, `],"raw":`...)
		dst = jsonstr.Append(dst, l.Raw)
		dst = append(dst, `,"type":`...)
		dst = strconv.AppendUint(dst, uint64(l.Type), 10)
		dst = append(dst, `,"source":`...)
		dst = jsonstr.Append(dst, l.Source)
		dst = append(dst, `,"origin":`...)
		dst = strconv.AppendUint(dst, uint64(l.Origin), 10)
		if l.FileID != "" {
			dst = append(dst, `,"file_id":`...)
			dst = jsonstr.Append(dst, l.FileID)
		}
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, l.Offset, 10)
		if l.Host != "" {
			dst = append(dst, `,"host":`...)
			dst = jsonstr.Append(dst, l.Host)
		}
		dst = append(dst, '}')
	})
	if !first {
		dst = append(dst, ']')
	}
	if len(r.lbPos) > 0 {
		dst = append(dst, `,"lookback_pos":{`...)
		first = true
		for _, src := range slices.Sorted(maps.Keys(r.lbPos)) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			p := r.lbPos[src]
			dst = jsonstr.Append(dst, src)
			dst = append(dst, `:{"file_id":`...)
			dst = jsonstr.Append(dst, p.FileID)
			dst = append(dst, `,"offset":`...)
			dst = strconv.AppendInt(dst, p.Offset, 10)
			dst = append(dst, '}')
		}
		dst = append(dst, '}')
	}
	return dst
}

// restoreLookBack holds the saved look-back lines and positions again.
func (r *impersonation) restoreLookBack(lines []lookBackLine, pos map[string]position) {
	for _, l := range lines {
		r.lb.add(l)
	}
	for src, p := range pos {
		r.lbPos[src] = p
	}
}
