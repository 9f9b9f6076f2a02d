package parser

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

// auditKey maps a GitLab audit key to its slot, or -1.
func auditKey(k []byte) int {
	switch string(k) {
	case "severity":
		return aSeverity
	case "time":
		return aEventTime
	case "correlation_id":
		return aCorrelationID
	case "author_id":
		return aAuthorID
	case "author_name":
		return aAuthorName
	case "entity_id":
		return aEntityID
	case "entity_type":
		return aEntityType
	case "ip_address":
		return aIPAddress
	case "add":
		return aAddAction
	case "del":
		return aDelAction
	case "remove":
		return aRemoveAction
	case "target_id":
		return aTargetID
	case "target_type":
		return aTargetType
	case "target_details":
		return aTargetDetails
	case "entity_path":
		return aEntityPath
	case "action":
		return aAction
	case "custom_message":
		return aCustomMessage
	case "with":
		return aAuthenticationType
	case "from":
		return aSourceVisibility
	case "to":
		return aTargetVisibility
	case "change":
		return aChangeType
	case "event_name":
		return aEventName
	case "id":
		return aEventID
	case "impersonated_by":
		return aImpersonatedBy
	case "author_class":
		return aAuthorClass
	case "author_email":
		return aAuthorEmail
	case "created_at":
		return aCreatedAt
	case "as":
		return aRole
	case "failed_login":
		return aFailedLogin
	case "event_type":
		return aEventType
	}
	return -1
}

// Audit parses gitlab-rails/audit_json.log lines and Audit Event Streaming
// request bodies. The zero value is ready to use; an Audit is not safe for
// concurrent use.
type Audit struct {
	obj jsonObj
}

// Parse implements Parser. It accepts the three shapes GitLab writes (flat
// legacy, nested details only, nested plus flattened): values start from the
// nested details object and keys at the top level override them.
func (p *Audit) Parse(line []byte, r *Record) error {
	r.Reset()
	r.Type = TypeAudit
	o := &p.obj
	o.keys = keysAudit
	defer o.done()
	if err := o.scan(line); err != nil {
		return jsonError(TypeAudit, err)
	}
	for idx := range nAuditCols {
		// Most of the columns are absent from any one line: skip them here,
		// without a call.
		s := o.slots[idx]
		if s.empty() && idx != aEventTime {
			if idx == aEventName {
				s = o.slots[aEventType]
			}
			if s.empty() {
				continue
			}
		}
		switch idx {
		case aEventTime:
			t, ok := o.emitTime(r, ColEventTime, s)
			if !ok {
				t, ok = o.emitTime(r, ColEventTime, o.slots[aCreatedAt])
			}
			if ok {
				r.Time = t
			}
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
		default:
			o.emit(r, auditCols[idx], s)
		}
	}
	o.emitMeta(r)
	return nil
}

// isInteger reports whether b is a decimal integer, optionally negative:
// what GitLab writes for author_id and entity_id.
func isInteger(b []byte) bool {
	if len(b) > 1 && b[0] == '-' {
		b = b[1:]
	}
	return isDigits(b)
}
