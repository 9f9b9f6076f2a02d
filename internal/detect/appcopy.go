package detect

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxCopies bounds how many events of one form with the same time and
// message duplicateCopy pairs (see copyKey); further ones count.
const maxCopies = 16

// duplicateCopy reports whether ev, an event of the application log, is
// the copy of an event of the other form of that log already counted.
// GitLab 12.7 to 15.9 write each Gitlab::AppLogger message to both
// application.log (text: "2020-04-09T14:04:00.667Z: Failed Login: ...")
// and application_json.log (JSON: "time" and "message"), the agent's
// default sources follow both, and detect may be given both: the n-th
// event of one form with a given time (to the millisecond) and Message is
// the copy of the n-th event of the other form with them, so that each
// event counts once, as many times as the form that holds it more often
// has it (two failed sign-ins in one millisecond count twice). Events of
// the text log's long dates (minute precision, GitLab before 12.7, which
// wrote no JSON log) and those without a time or Message are never
// copies. It remembers ev's key (in the engine's recent event ids, so
// within DedupeWindow of event time) whether it is a copy or not.
func (e *Engine) duplicateCopy(ev *Event) bool {
	msg, ok := copyMessage(ev)
	if !ok {
		return false
	}
	form := byte(0) // text
	if gitlabLine(ev.Raw)[0] == '{' {
		form = 1
	}
	t := ev.Time.UnixNano()
	base := e.copyBase(t, msg)
	n := 0
	for n < maxCopies && e.events.has(copyKey(base, form, n)) {
		n++
	}
	if n == maxCopies {
		return false
	}
	e.events.seenKey(copyKey(base, form, n), t)
	return e.events.has(copyKey(base, 1-form, n))
}

// copyMessage returns the Message of ev and true when ev is an event of
// the application log that GitLab may have written in both forms (see
// duplicateCopy): one with a time to the millisecond, a line and a
// Message.
func copyMessage(ev *Event) (string, bool) {
	if ev.Type != parser.TypeApplication || ev.Time.IsZero() || ev.CoarseTime() || gitlabLine(ev.Raw) == "" {
		return "", false
	}
	msg := ev.Get(parser.ColMessage)
	return msg, msg != ""
}

// copyBase is the hash of an application-log event at time t (Unix ns)
// with Message msg, which copyKey varies for duplicateCopy: the first 16
// bytes of a SHA-256, as lineKey's, since msg is written by whoever signs
// in (a user name), who could make an FNV-1a key collide with another
// event's and have it dropped. It uses e.keyBuf as scratch space.
func (e *Engine) copyBase(t int64, msg string) recentKey {
	b := append(e.keyBuf[:0], "appcopy"...)
	b = binary.BigEndian.AppendUint64(b, uint64(t))
	b = append(b, msg...)
	e.keyBuf = b
	sum := sha256.Sum256(b)
	return recentKey(sum[:16])
}

// copyKey is the key of the n-th event of form (0 text, 1 JSON) whose
// copyBase is base: base with form and n in its last two bytes, so that
// the message is hashed once per event, not once per key asked for.
func copyKey(base recentKey, form byte, n int) recentKey {
	base[14] ^= form
	base[15] ^= byte(n)
	return base
}
