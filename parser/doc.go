// Package parser turns GitLab security log lines into the columns of
// Microsoft Sentinel's GitLabAudit, GitLabApp and GitLabAccess functions,
// and GitLab's Rack::Attack log into columns named in the same style.
//
// Four parsers implement [Parser]: [Audit] for gitlab-rails/audit_json.log
// and Audit Event Streaming request bodies, [Application] for
// gitlab-rails/application_json.log and the legacy application.log,
// [Access] for nginx/gitlab_access.log, and [Auth] for
// gitlab-rails/auth_json.log (auth.log in older versions). [New] returns one by [Type] and
// [Detect] guesses the type of a line. A parser fills a reusable [Record]:
// column values alias the line or the Record's scratch buffer, so parsing a
// stream of lines does not allocate once the Record's buffers have grown to
// the lines' size, but for a line with more than 1,024 distinct meta.* keys
// (GitLab writes about a dozen), whose key index is made for it and not
// kept, so that one such line does not hold memory, and for a meta.* key
// of a name not among the first 4,096 a parser has seen (its column name
// is made for each line: a bound on what a parser keeps). A parser keeps
// its own scratch buffers (unescaped keys, compacted objects) between
// lines, but drops one that a line grew past 1 MiB. A line that cannot be parsed yields an
// [*Error] naming the log type, the byte offset and the reason; no input
// panics. The package does no I/O and keeps no global state.
//
// Every parser, and Detect, skips a run of NUL bytes at the start of a
// line: a crash leaves one where the file was extended with zeros before
// the writer's data reached it, and so does a copytruncate with a writer
// that does not open the log with O_APPEND. When the crash's zeroed block
// began mid-line, the padding follows part of a line: no GitLab line holds
// a NUL byte, so the text after the last one is GitLab's line, which the
// parsers read when the whole does not parse (JSON) or first (text), and
// Detect types. UTF-8 byte order marks after
// the run (or at the start), which an editor leaves at the start of a file
// it saved, are skipped too (RFC 8259 §8.1 lets a JSON parser ignore them).
// The text after them is GitLab's line, and the columns come from it; the
// line itself is not changed (a caller forwarding it raw forwards it as
// read).
//
// # Columns
//
// Empty columns are omitted. Columns appear in the order listed.
// [Record.Time] holds EventTime's instant as a UTC time.Time (zero when the
// line has no time). EventTime is the text as logged in the audit and
// application logs and RFC 3339 with the logged offset in the access log.
//
// Typed columns hold only values of their type: a time, status code, byte
// count, ratio or numeric id whose value is "-" or otherwise not of its type
// is omitted, like an empty column. These are EventTime and CreatedAt of
// JSON lines (a time the parser reads: RFC 3339, or that with a space for T,
// without a zone, with " UTC", with a +hhmm offset, or with " +hhmm" as Ruby's
// Time#to_s writes it; a text line without a
// time is an *Error), AuthorID and EntityID (a decimal integer, possibly
// negative), TargetID and EventID (any value but "-": GitLab writes numbers,
// paths and UUIDs), ResponseCode (digits; the line is an *Error otherwise),
// BytesSent (digits) and GzipRatio (a decimal number).
//
// GitLabAudit ([Audit]). The JSON keys read for each column are:
//
//	Severity            severity
//	EventTime           time, or created_at when there is no time (streaming bodies) or it is not a time
//	CorrelationID       correlation_id
//	AuthorID            author_id (a number keeps its JSON text, e.g. -3)
//	AuthorName          author_name
//	EntityID            entity_id
//	EntityType          entity_type
//	IPAddress           ip_address
//	AddAction           add
//	DelAction           del (GitLab never writes it; kept for the Sentinel schema)
//	RemoveAction        remove
//	TargetID            target_id (number or string path)
//	TargetType          target_type
//	TargetDetails       target_details
//	EntityPath          entity_path (the Azure function calls it EntityName)
//	Action              action
//	CustomMessage       custom_message (an object stays compact JSON text)
//	AuthenticationType  with
//	SourceVisibility    from
//	TargetVisibility    to
//	ChangeType          change
//	EventName           event_name, or the streaming event_type (not audit_operation, see Audit)
//	EventID             id (number or string)
//	ImpersonatedBy      impersonated_by
//	AuthorClass         author_class
//	AuthorEmail         author_email
//	CreatedAt           created_at
//	Role                as
//	FailedLogin         failed_login
//	meta.*              every meta.* key, in line order (named as described under Column names)
//
// GitLab writes three shapes: flat (details merged into the top level),
// nested (details only under "details") and both. The parser starts from the
// "details" object and lets top-level keys override it (but for a top-level
// null or "", which leaves a value of details standing), so all three give
// the same columns. Keys are trimmed of surrounding spaces (Sentinel's sample
// data has "entity_type "). String values are unescaped; numbers keep their
// JSON text; true and false become "true" and "false"; objects and arrays
// become compact JSON text; null is omitted. Invalid UTF-8 in a value becomes
// U+FFFD, exactly as encoding/json decodes it, and is counted in
// Record.Repaired. The line must be one valid
// JSON object (the same lines encoding/json accepts) with at least one of
// the keys author_id, entity_id and entity_type (at its top level or in
// details), which GitLab writes in every audit event: a JSON object
// without them is an *Error naming them, not an audit line.
//
// GitLabApp ([Application]). JSON lines give Severity (severity), EventTime
// (time), CorrelationID (correlation_id), Message (message). A JSON line
// must have the keys severity and time at its top level, with any value, as
// every line GitLab's JsonLogger writes has: a JSON object without them is
// an *Error saying which is missing, not a line of the log; text lines
// ("2020-04-09T14:04:00.667Z: msg" or "October 06, 2014 11:56: msg", the
// latter read as UTC because the log does not name its zone) give EventTime
// and Message. Then, when Message matches one of these patterns, EventKind
// names it and the parts are extracted (first match wins):
//
//	EventKind              Message pattern                                         columns
//	failed_login           Failed Login: username=(.*) ip=(\S+)                     Username, IPAddress
//	successful_login       Successful Login: username=(\S+) ip=(\S+) method=(\S+) admin=(true|false)
//	                                                                                Username, IPAddress, AuthenticationType, Admin
//	logout                 User Logout: username=(\S+) ip=(\S+)                     Username, IPAddress
//	user_created           User "(.*)" \((.*)\) +was created                        Username, EmailAddress
//	user_removed           User "(.*)" \((.*)\) +was removed  (GitLab writes two spaces)
//	                                                                                Username, EmailAddress
//	impersonation_started  User (\S+) has started impersonating (\S+)               Username (the admin), TargetUser
//	impersonation_stopped  User (\S+) has stopped impersonating (\S+)               Username (the admin), TargetUser
//	project_removed        Project "(.*)" was (removed|deleted)                     Project
//	group_created          Group "(.*)" was created                                 Group
//	group_removed          Group "(.*)" was (removed|deleted)                       Group
//	project_created        ((.*) )?created a new project "(.*)"                     Owner, Project
//
// The patterns are anchored at both ends and (.*) is greedy. A username may
// contain spaces or be empty in failed_login. Sentinel's GitLabApp projects
// instead three 0/1 flags, FailedLogin (the text begins "Failed Login"),
// UserAdded (ends "was created") and UserImpersonated (holds
// "impersonating"), tested on the whole JSON line rather than its message,
// so that a group created is a UserAdded: EventKind replaces them
// (FailedLogin == 1 is EventKind failed_login, UserAdded == 1 is
// user_created, UserImpersonated == 1 is impersonation_started or
// impersonation_stopped), and FailedLogin is the audit log's column of
// that name, its failed_login value. The meta.* keys of JSON lines
// follow as their own columns. JSON lines without a message (most of
// application_json.log) have no EventKind. A text line without a leading
// timestamp (for example the continuation of a multi-line message) is an
// *Error; the caller still forwards it raw.
//
// GitLabAccess ([Access]). The Omnibus gitlab_access format
//
//	$remote_addr - $remote_user [$time_local] "$request_method $filtered_request_uri $server_protocol" $status $body_bytes_sent "$filtered_http_referer" "$http_user_agent" $gzip_ratio
//
// and NGINX's combined format (no $gzip_ratio) give IPAddress, RemoteUser
// (omitted when "-"), EventTime ($time_local in RFC 3339 with the logged
// offset: 24/May/2024:00:11:01 +0800 gives 2024-05-24T00:11:01+08:00),
// RequestVerb, URI, HTTPVersion, ResponseCode, BytesSent (omitted when "-",
// as Apache-style combined lines write an empty body), HTTPReferer and
// UserAgent (omitted when "-"), GzipRatio (omitted when "-" or not a
// number), and TimeLocal ($time_local as logged). ingress-nginx's default
// log-format-upstream (combined, then $request_length $request_time
// [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
// $upstream_response_length $upstream_response_time $upstream_status
// $req_id) adds RequestLength, RequestTime, UpstreamName,
// UpstreamAlternativeName, UpstreamAddr, UpstreamResponseLength,
// UpstreamResponseTime, UpstreamStatus and RequestID, as logged (the
// upstream values may be lists, "502, 200"), each omitted when "-" or empty.
//
// The request is split into RequestVerb, URI and HTTPVersion only when it is
// an HTTP request line: the method is an RFC 9110 token (tchar:
// "!#$%&'*+-.^_`|~", digits, letters) and the last word looks like
// HTTP/x(.y) ("METHOD URI HTTP/x.y"; a URI with spaces stays whole), or it
// is HTTP/0.9's "GET URI" (no HTTPVersion). Anything else, such as a TLS or
// RDP handshake or an SSH banner sent to the HTTP port, is kept whole as URI
// with no RequestVerb and no HTTPVersion. A "-" request (NGINX's log of a
// malformed request) gives none of the three. Values are kept as logged,
// NGINX's \xXX escapes included.
//
// Auth ([Auth]). GitLab's Rack::Attack subscriber
// (Gitlab::Metrics::Subscribers::RackAttack in
// lib/gitlab/metrics/subscribers/rack_attack.rb) writes one JSON line through
// Gitlab::AuthLogger for every request a throttle or blocklist stopped, or a
// track (a throttle in GITLAB_THROTTLE_DRY_RUN) matched. For example, from
// GitLab's documentation (doc/administration/logs, "auth_json.log"):
//
//	{"severity":"ERROR","time":"2023-04-19T22:14:25.893Z","correlation_id":"01GYDSAKAN2SPZPAMJNRWW5H8S","message":"Rack_Attack","env":"blocklist","remote_ip":"x.x.x.x","request_method":"GET","path":"/group/project.git/info/refs?service=git-upload-pack"}
//
// The JSON keys read for each column are:
//
//	Severity       severity
//	EventTime      time (RFC 3339, as logged)
//	CorrelationID  correlation_id
//	Message        message ("Rack_Attack")
//	MatchType      env: Rack::Attack's rack.attack.match_type, i.e. throttle,
//	               blocklist (blacklist in old versions) or track
//	MatchedRule    matched: the rule's name (rack.attack.matched), e.g.
//	               throttle_unauthenticated_protected_paths, throttle_authenticated_api,
//	               "Git HTTP Basic Auth"
//	IPAddress      remote_ip, or ip (early versions)
//	RequestVerb    request_method
//	URI            path (the full path with the query string), or fullpath (early versions)
//	ResponseCode   status: 429 for a throttle, 403 for a blocklist, absent for a track
//	UserID         user_id, when a user's throttle matched
//	Username       username (early versions), or meta.user
//	DeployTokenID  deploy_token_id, when a deploy token's throttle matched
//	meta.*         every meta.* key, named as in the line, in line order
//
// ResponseCode, UserID and DeployTokenID are present only when their value is
// a decimal number (an early version logged the throttle's discriminator,
// which can be the client IP, as user_id); the line itself still holds the
// value. Other keys, such as the
// rack_attack_redis_* and other instrumentation counters, are not columns.
// A line of the same file without the Rack::Attack keys (GitLab also logs
// gitlab_throttle_user_allowlist there) gives the columns it has. Values are
// read as in the Audit parser: unescaped strings, numbers as their JSON text,
// invalid UTF-8 replaced by U+FFFD, and the line must be one valid JSON object.
//
// # Column names
//
// Every column name is valid as an RFC 5424 PARAM-NAME, so a column keeps its
// name from Parse to the syslog wire. The fixed names are SD-NAMEs: 1 to 32
// printable US-ASCII characters without '=', ']', '"' or space
// ([ValidSDName]). A Labkit context key (meta.caller_id, meta.remote_ip,
// meta.artifacts_dependencies_count, ...) becomes a column named
// [MetaPrefix] + X, where X is what follows "meta." in the key when that is
// a valid SD-NAME (every key GitLab writes) and its [SDName] short form
// otherwise (first 23 bytes, bad bytes as '_', then '~' and an FNV-1a hash
// of the whole text). The forwarder sends a column meta.X as PARAM-NAME X in
// an SD element of its own (meta@<enterprise number>), every other column
// under its own name in the main element (gitlab@<enterprise number>).
//
// # Sentinel KQL bugs this package fixes
//
// The KQL parser functions of Microsoft Sentinel's GitLab solution
// (Azure-Sentinel Solutions/GitLab, and the tuxnam/Sentinel-Development
// functions it grew from) get these wrong. The numbers are the ones the
// tests cite ("KQL bug 8"):
//
//   - 1: SourceVisibility/TargetVisibility read From/To; GitLab writes
//     lowercase from/to, so they were always empty. They are read from from/to.
//   - 2: DelAction read a del key that GitLab never writes; removals are in
//     remove. RemoveAction carries them, DelAction stays empty unless a del
//     key really exists.
//   - 5: EventTime was left as a string; [Record.Time] is the instant in UTC.
//   - 8: the NGINX pattern required " - - [", so every line with a
//     $remote_user (Git over HTTP) failed. The access parser reads from both
//     ends and accepts any user name, including spaces and brackets.
//   - 9: todatetime() cannot read $time_local; EventTime is RFC 3339 with
//     the logged offset, [Record.Time] the instant in UTC, and TimeLocal the
//     text as logged.
//   - 10: with $gzip_ratio at the end, UserAgent came out as `<ua>" -`;
//     UserAgent and GzipRatio are separate columns.
//   - 11: only GET/POST/PUT/DELETE/PATCH lines were kept; every method, and
//     malformed "-" requests, parse.
//   - 12: ResponseCode and BytesSent were untyped strings; they are checked
//     to be decimal numbers and [Record.Int] reads them as integers.
//   - 21: the brute-force rule's username kept a trailing space; Username is
//     exactly what follows "username=" up to " ip=", and may hold spaces.
package parser
