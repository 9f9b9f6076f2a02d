package agent

import (
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// fitAlert makes the alert a, which emit encoded as the last message of
// d.cur in n bytes, more than d.limit (a datagram destination's
// max_message_bytes, a stream's max_stream_message_bytes), fit that limit
// as an alert, where the forwarder would cut it as a log line (or the
// collector would), leaving its MSG, the JSON, invalid:
//
//   - when its JSON fits whole without STRUCTURED-DATA, it is sent
//     without, as a log line is, and MSG keeps everything;
//   - else when shortening "raw" alone (detect.FitRaw) makes the JSON fit
//     next to STRUCTURED-DATA, STRUCTURED-DATA is kept;
//   - else STRUCTURED-DATA is dropped and the JSON shortened, raw first,
//     then the longest column values (detect.FitColumns).
//
// A shortened JSON lists what was shortened in its detect.TruncatedMember
// member. An alert that cannot be made to fit (a max_message_bytes too
// small for its identifying members) is sent without STRUCTURED-DATA,
// its JSON cut by the forwarder. Either is logged, each kind paced on its
// own (d.fitLog, d.cutLog). It runs under d.mu.
func (d *detector) fitAlert(a *detect.Alert, n int) {
	b, m, limit := d.cur, &d.msg, d.limit
	full, els, ps := m.Msg, m.Elements, m.Params
	defer func() { m.Msg, m.Elements, m.Params = full, els, ps }() // the writer reuses them
	// Its size without STRUCTURED-DATA.
	b.RemoveLast()
	m.Elements, m.Params = nil, nil
	b.Append(d.enc, m)
	bare := len(b.Message(b.Len() - 1))
	b.RemoveLast()
	m.Elements, m.Params = els, ps
	if bare <= limit {
		m.Elements, m.Params = nil, nil
		b.Append(d.enc, m)
		d.warnFit(a, n, limit, bare, nil, false)
		return
	}
	for _, try := range [...]struct {
		fit    detect.Fit
		sd     bool
		budget int // bytes the JSON may take
	}{
		{detect.FitRaw, true, len(full) - (n - limit)},
		{detect.FitColumns, false, len(full) - (bare - limit)},
	} {
		msg, cut, ok := a.AppendFitJSON(d.fitBuf[:0], try.budget, try.fit)
		d.fitBuf = msg[:0]
		if !ok {
			continue
		}
		m.Msg = msg
		if !try.sd {
			m.Elements, m.Params = nil, nil
		}
		b.Append(d.enc, m)
		if got := len(b.Message(b.Len() - 1)); got <= limit {
			d.warnFit(a, n, limit, got, cut, try.sd)
			return
		}
		b.RemoveLast() // not expected: the encoder wrote MSG as it is
		m.Elements, m.Params = els, ps
	}
	// Nothing fits: the JSON goes cut, without STRUCTURED-DATA, so that
	// MSG, which the AMA path keeps alone, holds as much of it as fits
	// (the identifying members come first); with STRUCTURED-DATA kept the
	// forwarder would cut MSG to a few bytes when the element fits.
	m.Msg, m.Elements, m.Params = full, nil, nil
	b.Append(d.enc, m)
	d.warnFit(a, n, limit, 0, nil, false)
}

// warnFit logs an alert of n bytes that fitAlert shortened to got bytes
// (cut: the members shortened; sd: STRUCTURED-DATA kept), or, with got 0,
// could not shorten: the first at once, then at most one every
// parseLogInterval with the number held back.
func (d *detector) warnFit(a *detect.Alert, n, limit, got int, cut []string, sd bool) {
	gate := &d.fitLog
	switch {
	case got == 0:
		gate = &d.cutLog
		d.fitted.cut.Add(1)
	case len(cut) == 0:
		d.fitted.sdDropped.Add(1)
	default:
		d.fitted.shortened.Add(1)
	}
	held, ok := gate.pass(time.Now())
	if !ok {
		return
	}
	key, fit, hint := d.fitWords(limit)
	if got == 0 {
		d.log.Warn("detection alert longer than "+key+" could not be shortened to fit "+fit+": the members never shortened (rule, alert_id, times, CorrelationID, ...), the key columns as short as they get and the names of the members shortened or left out do not fit; it is sent cut, without STRUCTURED-DATA, and its JSON (MSG) is not valid",
			"rule", a.Info.ID, "alert_id", a.ID, "bytes", n, key, limit, "unreported_since_last", held, "hint", hint)
		return
	}
	if len(cut) == 0 {
		d.log.Warn("detection alert longer than "+key+" sent without STRUCTURED-DATA to fit "+fit+": its JSON (MSG) is whole",
			"rule", a.Info.ID, "alert_id", a.ID, "bytes", n, "sent_bytes", got, key, limit, "unreported_since_last", held, "hint", hint)
		return
	}
	what := "STRUCTURED-DATA dropped"
	if sd {
		what = "STRUCTURED-DATA kept"
	}
	d.log.Warn("detection alert longer than "+key+" shortened to fit "+fit+": its JSON (MSG) stays valid, with its identifying members whole; the values shortened are listed in its \""+detect.TruncatedMember+"\" member; "+what,
		"rule", a.Info.ID, "alert_id", a.ID, "bytes", n, "sent_bytes", got, key, limit,
		"shortened", strings.Join(cut, ","), "structured_data", sd, "unreported_since_last", held, "hint", hint)
}

// fitWords returns, for the limit of d's destination, the name of its
// key, what an alert is made to fit, and what the user can do.
func (d *detector) fitWords(limit int) (key, fit, hint string) {
	if d.stream {
		return "max_stream_message_bytes", "the collector's message size limit",
			"raise the collector's message size limit (rsyslog maxMessageSize and imtcp maxFrameSize, syslog-ng log-msg-size) and max_stream_message_bytes (forward.max_stream_message_bytes or --max-stream-message-bytes) with it"
	}
	hint = "use tcp://, tls:// or relp://, which cut nothing"
	if limit < forwarder.MaxUDPDatagram {
		hint = "raise max_message_bytes (forward.max_message_bytes or --max-message-bytes, up to 65507) if the collector takes larger datagrams, or " + hint
	}
	return "max_message_bytes", "a datagram", hint
}

// flushFit logs how many alerts made to fit (or sent cut) had their
// warnings held back by the pacing since the last one logged, at
// shutdown, so that a short run (--once) does not end on the first
// warning alone. It runs under d.mu.
func (d *detector) flushFit() {
	key, _, hint := d.fitWords(d.limit)
	if n := d.fitLog.suppressed; n > 0 {
		d.log.Warn("more detection alerts longer than "+key+" were sent shortened or without STRUCTURED-DATA since the last such warning",
			"alerts", n, "hint", hint)
	}
	if n := d.cutLog.suppressed; n > 0 {
		d.log.Warn("more detection alerts longer than "+key+" could not be shortened and were sent cut, their JSON (MSG) not valid, since the last such warning",
			"alerts", n, "hint", hint)
	}
	d.fitLog.suppressed, d.cutLog.suppressed = 0, 0
}
