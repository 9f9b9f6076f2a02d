// Package streaming receives GitLab Audit Event Streaming requests and
// persists each event as one line of a spool file that the agent tails like
// any other audit log.
//
// GitLab POSTs every audit event of a group or of the instance to each HTTP
// streaming destination, with the destination's verification token in the
// X-Gitlab-Event-Streaming-Token header and the event JSON as the body. The
// Content-Type is application/x-www-form-urlencoded by default even though
// the body is JSON, or application/json when the destination is configured
// so; the Receiver reads the raw body in both cases and never form-decodes it.
// The X-Gitlab-Audit-Event-Type header, when present, is only logged.
//
// # Batched delivery
//
// GitLab can also deliver a batch: a JSON array of event bodies, each the
// object a per-event request carries, without the X-Gitlab-Audit-Event-Type
// header (each element names its event_type). It does so for a top-level
// group with the audit_event_streaming_via_nats feature flag on (GitLab
// merge request 249861, "Add batched delivery wire formats to streaming
// destinations"). The Receiver accepts such a body, with white space
// anywhere JSON allows it, only when every element is a JSON object: each
// element is then spooled as its own line, exactly as a per-event body
// holding it would be, in array order, with one write and one fsync, and
// deduplicated one by one as single events are (against the events spooled
// before and the elements before it in the array). The request is answered
// 200 once those lines are durable, with the number spooled and dropped as
// duplicates ("ok: 2 spooled, 1 duplicate"); an empty array is answered 200
// and spools nothing. Config.MaxBody applies to the whole request. Events
// are counted one by one (Stats.Accepted, Duplicates, NoID), batch requests
// answered 200 in Stats.Batches.
//
// # What a request gets
//
//   - 404 for any path other than Config.Path, 405 (Allow: POST) for any
//     other method.
//   - 401 when the token header is missing or matches none of the configured
//     tokens. Tokens are compared in constant time, and never logged. The
//     refusal is logged with what to do (for a wrong token, the token
//     settings to compare with GitLab's): the first of each cause (wrong
//     token, no header, several headers), the first after a quiet interval
//     of 10 s and the first after Reload always, others of the same cause
//     at most once per 10 s with the count of those not logged.
//   - 413 when the body exceeds Config.MaxBody.
//   - 415 (Accept-Encoding: identity) when a Content-Encoding header names
//     a coding other than identity, such as gzip: GitLab sends bodies
//     uncompressed, and the Receiver decodes none. The answer names the
//     header; it is logged as a 401 is, the first and then at most once
//     per 10 s with the count of those not logged.
//   - 400 when the body is not exactly one JSON object nor a JSON array of
//     them, with the reason in plain words ("the body is a JSON string, not
//     an event object; ..."; for an array, "element 2 of the array
//     (counting from 0) is a JSON number, not an event object; ..."). No
//     element of a refused array is spooled.
//   - 200 when the event, compacted to one line, has been appended to the
//     spool file and the file has been fsynced, or when the same event was
//     already spooled within Config.DedupeWindow (a duplicate; body
//     "duplicate"); for a batch, once all its elements that are no
//     duplicates are spooled and synced.
//   - 503 when the spool could not be written or synced.
//
// # Delivery guarantees
//
// GitLab delivers at least once and does not retry: a destination that
// answers 5xx (or times out) loses that event, and the administrator can only
// look it up in the audit events UI or API. The Receiver therefore answers
// 2xx only after the event is durable, and 5xx only when it truly could not
// persist it. Concurrent requests share fsyncs (group commit), but none is
// acknowledged before the sync that covers it.
//
// GitLab may send one event more than once, and several destinations (a group
// and the instance) pointing at the same Receiver deliver the same event
// twice. A delivery is dropped as a repeat only when it is the same event as
// one spooled within Config.DedupeWindow: the same "id" (a number for events
// stored in the database, a UUID string for stream-only events; 1 and "1"
// are different ids), the same "event_type" and the same "created_at"
// (compared as text). Older GitLab versions set a stream-only event's id from
// created_at in whole seconds, so different events share an id and only the
// three together identify one. An event with an id but without a non-empty
// event_type or created_at string is a repeat only when its compacted body is
// identical. An event without an id (absent, null, "" or not a number or
// string) is never treated as a repeat, even with an identical body.
//
// The key of each spooled event (a SHA-256 of what identifies it) is kept in
// memory and appended to dedupe.log in the spool directory, which is reloaded
// and compacted on start, so a repeat is recognised across a restart. The log
// starts with a format line; a dedupe.log written by a version that keyed on
// the id alone has none, and its entries are ignored with a warning: an event
// spooled before the upgrade and delivered again is then spooled twice, and
// none is lost. A key is recorded before the event is acknowledged, so a
// crash of the process loses none; a power loss can forget the last keys
// recorded (the dedupe log is not fsynced), and a redelivered event is then
// spooled twice, which at-least-once delivery allows anyway.
//
// # The spool
//
// SpoolPath (events.log in Config.SpoolDir) receives one compact JSON object
// per line, one per event (per element of a batch). When it would grow past Config.SpoolMaxBytes it is renamed to
// events.log.1, replacing the previous one, and a new events.log is started.
// The tailer follows the rename and drains the renamed file. Only one old
// file is kept, so the agent sets a rotation check (Receiver.SetRotateCheck):
// the spool rotates only once the agent committed a position in the current
// file, that is, once it is done with events.log.1; while the collector
// downstream is slow or down the spool grows past SpoolMaxBytes instead of
// rotating acknowledged events away unread (GitLab does not send them
// again). If the spool ends in a partial line after a crash, a newline is
// added before the next event so the two never merge.
package streaming
