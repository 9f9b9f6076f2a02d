package streaming

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// GitLab's batched delivery (merge request 249861, "Add batched delivery
// wire formats to streaming destinations", gated per top-level group by the
// audit_event_streaming_via_nats feature flag) POSTs a JSON array of event
// bodies, each the object a per-event request carries, without the
// X-Gitlab-Audit-Event-Type header: each element names its own event_type.

// isArray reports whether body, after JSON white space, starts a JSON array.
func isArray(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '['
}

// batchEvent is one element of a batch, normalized as a single body is.
type batchEvent struct {
	line []byte // compact JSON and '\n'
	ev   eventIdentity
}

// normalizeBatch checks that body is one JSON array of JSON objects and
// returns each element normalized as normalize does a single body, in
// array order; otherwise the error says why in plain words: the body's
// fault as invalidBody says it, or the index (from 0) of the first element
// that is not an object and what it is.
func normalizeBatch(body []byte) ([]batchEvent, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return nil, invalidBody(body)
	}
	out := make([]batchEvent, 0, len(elems))
	for i, el := range elems {
		if kind := jsonKind(el); kind != "" {
			return nil, fmt.Errorf("element %d of the array (counting from 0) is %s, not an event object; %s",
				i, kind, oneEvent)
		}
		line, ev, err := normalize(el)
		if err != nil { // not reached: el is a valid JSON object
			return nil, fmt.Errorf("element %d of the array (counting from 0): %w", i, err)
		}
		out = append(out, batchEvent{line, ev})
	}
	return out, nil
}

// jsonKind names the kind of the valid JSON value v when it is not an
// object ("a JSON number", ...), or returns "" for an object.
func jsonKind(v []byte) string {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '{':
		return ""
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "JSON true or false"
	case 'n':
		return "JSON null"
	}
	return "a JSON number"
}

// serveBatch handles a body that is a JSON array: only when every element
// is an event object (else 400, naming the first that is not, and nothing
// is spooled) are the elements spooled, each as its own line as a single
// event is, in array order, with one write and one fsync, and the request
// answered 200 once they are durable. Each element is deduplicated as a
// single event is, against the events spooled before and the elements
// before it in the array. An empty array is answered 200 with nothing
// spooled. The events are counted one by one (Accepted, Duplicates, NoID),
// the request in Batches.
func (r *Receiver) serveBatch(w http.ResponseWriter, req *http.Request, body []byte) {
	events, err := normalizeBatch(body)
	if err != nil {
		r.refuseInvalid(w, req, body, "", err)
		return
	}
	// Reserve the keys in sorted order, so that two batches sharing events
	// each wait for the other's reservations in the same order and never
	// for each other.
	var keys []string
	for _, e := range events {
		if e.ev.key == "" {
			r.stats.noID.Add(1)
		} else if r.dedupe != nil {
			keys = append(keys, e.ev.key)
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	reservedKeys := make(map[string]bool, len(keys)) // key → reserved here and not yet spooled by this batch
	settle := func(spooled bool, at int64) {
		for k := range reservedKeys {
			r.dedupe.settle(k, spooled, at)
		}
	}
	for _, k := range keys {
		switch r.reserve(req, k) {
		case reserved:
			reservedKeys[k] = true
		case inFlight: // the client went away while waiting
			settle(false, 0)
			return
		}
	}
	var (
		lines      []byte
		spoolKeys  []string
		spooled    int
		duplicates int
		taken      = make(map[string]bool, len(reservedKeys))
	)
	for _, e := range events {
		k := e.ev.key
		if k != "" && r.dedupe != nil {
			if !reservedKeys[k] || taken[k] { // spooled before, or earlier in this array
				duplicates++
				r.log.Debug("streaming: duplicate event dropped", "id", e.ev.id, "key", k, "batch", true)
				continue
			}
			taken[k] = true
			spoolKeys = append(spoolKeys, k)
		}
		lines = append(lines, e.line...)
		spooled++
	}
	at := r.now().Unix()
	if spooled > 0 {
		err = r.persist(lines, spoolKeys, at)
	}
	if r.dedupe != nil {
		settle(err == nil, at)
	}
	if err != nil {
		r.stats.spoolErrors.Add(1)
		if n, ok := r.spoolRefusals.allow(r.now()); ok {
			r.log.Error("streaming: batch of events not persisted; answered 503 and GitLab will not retry it",
				"err", err, "events", len(events), "to_spool", spooled, "not_logged_since_last", n)
		}
		http.Error(w, "events could not be persisted", http.StatusServiceUnavailable)
		return
	}
	r.stats.accepted.Add(uint64(spooled))
	r.stats.duplicates.Add(uint64(duplicates))
	r.stats.batches.Add(1)
	r.log.Debug("streaming: batch spooled", "events", len(events), "spooled", spooled,
		"duplicates", duplicates, "bytes", len(lines))
	fmt.Fprintf(w, "ok: %d spooled, %d duplicate\n", spooled, duplicates)
}
