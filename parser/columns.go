package parser

// Column names. They are the names the Microsoft Sentinel functions
// GitLabAudit, GitLabApp and GitLabAccess project, plus the columns this
// package adds, named in the same style (see the package documentation for
// what each one holds).
const (
	// Shared by several logs.
	ColSeverity           = "Severity"
	ColEventTime          = "EventTime"
	ColCorrelationID      = "CorrelationID"
	ColIPAddress          = "IPAddress"
	ColAuthenticationType = "AuthenticationType"
	ColUsername           = "Username"

	// GitLabAudit.
	ColAuthorID         = "AuthorID"
	ColAuthorName       = "AuthorName"
	ColEntityID         = "EntityID"
	ColEntityType       = "EntityType"
	ColAddAction        = "AddAction"
	ColDelAction        = "DelAction"
	ColRemoveAction     = "RemoveAction"
	ColTargetID         = "TargetID"
	ColTargetType       = "TargetType"
	ColTargetDetails    = "TargetDetails"
	ColEntityPath       = "EntityPath"
	ColAction           = "Action"
	ColCustomMessage    = "CustomMessage"
	ColSourceVisibility = "SourceVisibility"
	ColTargetVisibility = "TargetVisibility"
	ColChangeType       = "ChangeType"
	ColEventName        = "EventName"
	ColEventID          = "EventID"
	ColImpersonatedBy   = "ImpersonatedBy"
	ColAuthorClass      = "AuthorClass"
	ColAuthorEmail      = "AuthorEmail"
	ColCreatedAt        = "CreatedAt"
	ColRole             = "Role"
	ColFailedLogin      = "FailedLogin"

	// GitLabApp.
	ColMessage      = "Message"
	ColEventKind    = "EventKind"
	ColAdmin        = "Admin"
	ColEmailAddress = "EmailAddress"
	ColOwner        = "Owner"
	ColProject      = "Project"
	ColGroup        = "Group"
	ColTargetUser   = "TargetUser"

	// GitLabAccess.
	ColRemoteUser   = "RemoteUser"
	ColRequestVerb  = "RequestVerb"
	ColURI          = "URI"
	ColHTTPVersion  = "HTTPVersion"
	ColResponseCode = "ResponseCode"
	ColBytesSent    = "BytesSent"
	ColHTTPReferer  = "HTTPReferer"
	ColUserAgent    = "UserAgent"
	ColGzipRatio    = "GzipRatio"
	// ColTimeLocal is NGINX's $time_local as logged; EventTime holds it
	// as RFC 3339.
	ColTimeLocal = "TimeLocal"
	// ingress-nginx's log-format-upstream fields after combined, as logged
	// ($upstream_* may be lists: "10.0.0.1:80, 10.0.0.2:80", "502, 200").
	ColRequestLength           = "RequestLength"           // $request_length
	ColRequestTime             = "RequestTime"             // $request_time, seconds
	ColUpstreamName            = "UpstreamName"            // $proxy_upstream_name
	ColUpstreamAlternativeName = "UpstreamAlternativeName" // $proxy_alternative_upstream_name
	ColUpstreamAddr            = "UpstreamAddr"            // $upstream_addr
	ColUpstreamResponseLength  = "UpstreamResponseLength"  // $upstream_response_length
	ColUpstreamResponseTime    = "UpstreamResponseTime"    // $upstream_response_time, seconds
	ColUpstreamStatus          = "UpstreamStatus"          // $upstream_status
	ColRequestID               = "RequestID"               // $req_id

	// Auth (auth_json.log, Rack::Attack; no Sentinel function exists). It
	// also uses Severity, EventTime, CorrelationID, Message, IPAddress,
	// RequestVerb, URI, ResponseCode and Username.
	ColMatchType     = "MatchType"
	ColMatchedRule   = "MatchedRule"
	ColUserID        = "UserID"
	ColDeployTokenID = "DeployTokenID"
)

// EventKind values set by the Application parser, one per message pattern.
const (
	KindFailedLogin          = "failed_login"
	KindSuccessfulLogin      = "successful_login"
	KindLogout               = "logout"
	KindUserCreated          = "user_created"
	KindUserRemoved          = "user_removed"
	KindProjectCreated       = "project_created"
	KindProjectRemoved       = "project_removed"
	KindGroupCreated         = "group_created"
	KindGroupRemoved         = "group_removed"
	KindImpersonationStarted = "impersonation_started"
	KindImpersonationStopped = "impersonation_stopped"
)

// Columns returns the fixed column names a parser of type t can produce, in
// output order. Each is a valid RFC 5424 SD-NAME (ValidSDName). The Audit,
// Application and Auth parsers also copy every meta.* key of the line as a column
// after these, named as the key when what follows "meta." is a valid SD-NAME
// and by its SDName short form otherwise (see MetaPrefix).
func Columns(t Type) []string {
	switch t {
	case TypeAudit:
		return append([]string(nil), auditCols[:]...)
	case TypeApplication:
		return []string{ColSeverity, ColEventTime, ColCorrelationID, ColMessage, ColEventKind,
			ColUsername, ColIPAddress, ColAuthenticationType, ColAdmin, ColEmailAddress,
			ColOwner, ColProject, ColGroup, ColTargetUser}
	case TypeAccess:
		return []string{ColIPAddress, ColRemoteUser, ColEventTime, ColRequestVerb, ColURI,
			ColHTTPVersion, ColResponseCode, ColBytesSent, ColHTTPReferer, ColUserAgent, ColGzipRatio,
			ColTimeLocal, ColRequestLength, ColRequestTime, ColUpstreamName, ColUpstreamAlternativeName,
			ColUpstreamAddr, ColUpstreamResponseLength, ColUpstreamResponseTime, ColUpstreamStatus, ColRequestID}
	case TypeAuth:
		return append([]string(nil), authCols[:]...)
	}
	return nil
}
