package parser

import "math/bits"

// Slot indexes of the Audit parser; the first nAuditCols are output columns
// in this order.
const (
	aSeverity = iota
	aEventTime
	aCorrelationID
	aAuthorID
	aAuthorName
	aEntityID
	aEntityType
	aIPAddress
	aAddAction
	aDelAction
	aRemoveAction
	aTargetID
	aTargetType
	aTargetDetails
	aEntityPath
	aAction
	aCustomMessage
	aAuthenticationType
	aSourceVisibility
	aTargetVisibility
	aChangeType
	aEventName
	aEventID
	aImpersonatedBy
	aAuthorClass
	aAuthorEmail
	aCreatedAt
	aRole
	aFailedLogin
	nAuditCols

	aEventType  = nAuditCols // streaming event_type, the fallback for EventName
	nAuditSlots = nAuditCols + 1
)

var auditCols = [nAuditCols]string{
	ColSeverity, ColEventTime, ColCorrelationID, ColAuthorID, ColAuthorName,
	ColEntityID, ColEntityType, ColIPAddress, ColAddAction, ColDelAction,
	ColRemoveAction, ColTargetID, ColTargetType, ColTargetDetails, ColEntityPath,
	ColAction, ColCustomMessage, ColAuthenticationType, ColSourceVisibility,
	ColTargetVisibility, ColChangeType, ColEventName, ColEventID, ColImpersonatedBy,
	ColAuthorClass, ColAuthorEmail, ColCreatedAt, ColRole, ColFailedLogin,
}

// auditKeys maps the GitLab audit keys to their slots (and "details" to the
// nested object).
var auditKeys = newKeyTable([]keySlot{
	{"severity", aSeverity},
	{"time", aEventTime},
	{"correlation_id", aCorrelationID},
	{"author_id", aAuthorID},
	{"author_name", aAuthorName},
	{"entity_id", aEntityID},
	{"entity_type", aEntityType},
	{"ip_address", aIPAddress},
	{"add", aAddAction},
	{"del", aDelAction},
	{"remove", aRemoveAction},
	{"target_id", aTargetID},
	{"target_type", aTargetType},
	{"target_details", aTargetDetails},
	{"entity_path", aEntityPath},
	{"action", aAction},
	{"custom_message", aCustomMessage},
	{"with", aAuthenticationType},
	{"from", aSourceVisibility},
	{"to", aTargetVisibility},
	{"change", aChangeType},
	{"event_name", aEventName},
	{"id", aEventID},
	{"impersonated_by", aImpersonatedBy},
	{"author_class", aAuthorClass},
	{"author_email", aAuthorEmail},
	{"created_at", aCreatedAt},
	{"as", aRole},
	{"failed_login", aFailedLogin},
	{"event_type", aEventType},
}, true)

// Audit parses gitlab-rails/audit_json.log lines and Audit Event Streaming
// request bodies. The zero value is ready to use; an Audit is not safe for
// concurrent use.
//
// A line must have at least one of the keys author_id, entity_id and
// entity_type (at its top level or in its details object): GitLab writes
// all three in every audit event. Gitlab::Audit::Auditor logs the
// AuditEvent's attributes (event.as_json) and AuditEventService its
// base_payload (author_id, author_name, entity_id, entity_type,
// created_at), both through Gitlab::AuditJsonLogger to audit_json.log, and
// a streaming request body is the same event's attributes. A JSON object
// with none of them (another program's log, a Docker json-file record
// whose "log" holds an audit line) is an *Error naming them, not an audit
// event with only EventTime.
//
// EventName is event_name, or for a streaming body (which has none) its
// event_type, except "audit_operation": GitLab streams under that name
// the events recorded without one (the legacy AuditEventService's), whose
// audit_json.log lines have no event_name, so that both copies of such an
// event have the same columns.
type Audit struct {
	obj jsonObj
}

// Parse implements Parser. It accepts the three shapes GitLab writes (flat
// legacy, nested details only, nested plus flattened): values start from the
// nested details object and keys at the top level override them, but for
// a top-level null or "", which leaves a value of details standing. A
// leading run of NUL bytes is skipped (see [Parser]).
func (p *Audit) Parse(line []byte, r *Record) error {
	return parseSkipping(p, line, r, false)
}

func (p *Audit) parse(line []byte, r *Record) error {
	r.Reset()
	r.Type = TypeAudit
	r.index()
	o := &p.obj
	o.keys = auditKeys
	defer o.done()
	if err := o.scan(line); err != nil {
		return jsonError(TypeAudit, err)
	}
	if err := o.auditKeysMissing(); err != nil {
		return err
	}
	// Most of the columns are absent from any one line: visit only those
	// whose keys the line has (emit leaves out an empty value), EventTime
	// (which falls back to created_at) and EventName when event_type may
	// stand in for it.
	todo := o.set&(1<<nAuditCols-1) | 1<<aEventTime | o.set>>aEventType&1<<aEventName
	for ; todo != 0; todo &= todo - 1 {
		idx := bits.TrailingZeros64(todo)
		s := &o.slots[idx]
		n := len(r.Fields)
		if 1<<idx&auditChecked == 0 {
			o.emit(r, auditCols[idx], s)
		} else {
			o.emitAuditChecked(r, idx, s)
		}
		if len(r.Fields) > n {
			r.noteCol(ColID(idx), n) // the slots are the ColIDs of the columns
		}
	}
	o.emitMeta(r)
	r.endIndex()
	return nil
}

// auditKeysMissing returns the *Error of a JSON object that has none of
// the keys author_id, entity_id and entity_type, which GitLab writes in
// every audit event (see Audit), at its top level or in the details object
// that counts (the last); nil when it has one.
func (o *jsonObj) auditKeysMissing() error {
	for _, idx := range [...]int{aAuthorID, aEntityID, aEntityType} {
		if o.slots[idx].kind != kindNone {
			return nil
		}
	}
	return &Error{Type: TypeAudit, Offset: -1, Reason: `not a GitLab audit event: no "author_id", "entity_id" or "entity_type" key` +
		` (GitLab writes all three in every audit_json.log line and streaming request body)`}
}

// auditChecked has a bit set for each column whose value emitAuditChecked
// checks or falls back on.
const auditChecked = 1<<aEventTime | 1<<aEventName | 1<<aCreatedAt | 1<<aAuthorID | 1<<aEntityID |
	1<<aTargetID | 1<<aEventID

// emitAuditChecked adds the column idx (a bit of auditChecked) with the value
// of s, or leaves it out when the value is not what the column holds.
func (o *jsonObj) emitAuditChecked(r *Record, idx int, s *span) {
	switch idx {
	case aEventTime:
		t, ok := o.emitTime(r, ColEventTime, s)
		if !ok {
			t, ok = o.emitTime(r, ColEventTime, &o.slots[aCreatedAt])
		}
		if ok {
			r.Time = t
		}
	case aEventName:
		if s.empty() {
			s = &o.slots[aEventType]
			if o.isGenericEventType(s) {
				return
			}
		}
		o.emit(r, ColEventName, s)
	case aCreatedAt:
		o.emitTime(r, ColCreatedAt, s)
	case aAuthorID, aEntityID:
		if v := o.emit(r, auditCols[idx], s); v != nil && !isInteger(v) {
			r.dropLast()
		}
	case aTargetID, aEventID:
		if v := o.emit(r, auditCols[idx], s); isDash(v) {
			r.dropLast()
		}
	}
}

// genericEventType is the event_type GitLab streams an event under when the
// code that recorded it gave no name: the default of
// stream_to_external_destinations (ee/app/models/concerns/audit_events/
// common_audit_event_streamable.rb), which the legacy AuditEventService
// (impersonation, member and project changes, ...) streams through. The
// audit_json.log line of such an event has no event_name.
const genericEventType = "audit_operation"

// isGenericEventType reports whether s, the event_type, is the string
// genericEventType (however escaped): a name that names no kind of event,
// so that EventName is left out, as it is for the event's audit_json.log
// line.
func (o *jsonObj) isGenericEventType(s *span) bool {
	if s.kind != kindString {
		return false
	}
	raw := o.line[s.start+1 : s.end-1]
	if s.flags == 0 {
		return string(raw) == genericEventType
	}
	if len(raw) > 6*len(genericEventType) { // longer than every spelling
		return false
	}
	var buf [6 * len(genericEventType)]byte
	return string(appendUnescaped(buf[:0], raw)) == genericEventType
}

// isInteger reports whether b is a decimal integer, optionally negative:
// what GitLab writes for author_id and entity_id.
func isInteger(b []byte) bool {
	if len(b) > 1 && b[0] == '-' {
		b = b[1:]
	}
	return isDigits(b)
}
