package detect

import (
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Column names used by the table, shortened.
const (
	cEventName   = parser.ColEventName
	cCustomMsg   = parser.ColCustomMessage
	cChangeType  = parser.ColChangeType
	cFrom        = parser.ColSourceVisibility // GitLab's "from", for every change
	cTo          = parser.ColTargetVisibility // GitLab's "to", for every change
	cTargetType  = parser.ColTargetType
	cEntityType  = parser.ColEntityType
	cFailedLogin = parser.ColFailedLogin
)

// MITRE ATT&CK tactics.
const (
	tacCredentialAccess = "CredentialAccess"
	tacPersistence      = "Persistence"
	tacPrivEsc          = "PrivilegeEscalation"
	tacDefenseEvasion   = "DefenseEvasion"
)

func falco(id, name string, sev Severity, tactic []string, technique []string, desc string) Info {
	return Info{ID: "falco." + id, Name: name, Kind: KindPerEvent, Severity: sev,
		Tactic: tactic, Technique: technique, Description: desc}
}

func list(s ...string) []string { return s }

// falcoRows is the per-event rule table of the 22 rules of the Falco
// GitLab plugin (an1245/falco-plugin-gitlab, rules/gitlab.yaml) that are
// not country rules: the event_type values each rule matches, the fallback
// predicate for audit_json.log lines without EventName (legacy writers and
// older releases; strings from the plugin's samples and GitLab's audit
// messages), and the fixes to the plugin's conditions. Falco's WARNING is
// Medium and INFORMATIONAL Informational. The Falco rules carry no MITRE
// tags: the tactics and techniques here are this project's mapping.
//
// The Cluster Agent Token rule's id is falco.agent_token_created, not
// falco.cluster_agent_token_created: the rule id is the alerts' MSGID, and
// RFC 5424 limits MSGID to 32 bytes.
//
// Not in the table:
//   - falco.git_op_unknown_country and falco.admin_mode_unknown_country
//     need GeoIP and a country list: they are stateful-rule specs.
//   - falco.plugin_error (#25) is not a detection: it reported the Falco
//     plugin's own failures. The agent's metrics and logs cover the same
//     ground (parse failures, refused streaming requests, forwarder errors).
func falcoRows() []*eventRow {
	failed := func(id, name, eventName, kind string, technique []string) *eventRow {
		return &eventRow{
			info: falco(id, name, SeverityMedium, list(tacCredentialAccess), technique,
				"A sign-in failed ("+kind+"). One alert per attempt; repeated failures are sentinel.bruteforce's job."),
			names:    list(eventName),
			fallback: in(cFailedLogin, kind),
		}
	}
	return []*eventRow{
		failed("failed_login_standard", "GitLab Failed Login with Standard Authentication",
			"login_failed_with_standard_authentication", "STANDARD", list("T1110")),
		failed("failed_login_otp", "GitLab Failed Login with failed OTP",
			"login_failed_with_otp_authentication", "OTP", list("T1110", "T1111")),
		failed("failed_login_webauthn", "GitLab Failed Login with failed WebAuthn",
			"login_failed_with_webauthn_authentication", "WEBAUTHN", list("T1110")),
		{
			info: falco("omniauth_failed", "GitLab - OmniAuth Authentication failed", SeverityMedium,
				list(tacCredentialAccess), list("T1110"), "A sign-in through an OmniAuth provider failed."),
			names: list("omniauth_login_failed"),
		},
		{
			info: falco("user_locked", "GitLab - User Access has been locked", SeverityMedium,
				list(tacCredentialAccess), list("T1110"), "A user account was locked after too many failed sign-ins."),
			names: list("user_access_locked"),
		},
		{
			info: falco("user_2fa_disabled", "GitLab - User disabled two-factor authenticaton", SeverityMedium,
				list(tacCredentialAccess, tacDefenseEvasion), list("T1556.006"), "Two-factor authentication was disabled for a user."),
			names:    list("user_disable_two_factor"),
			fallback: in(cCustomMsg, "Disabled two-factor authentication"),
		},
		{
			info: falco("group_2fa_changed", "GitLab - Group 2-Factor Authenticaton configuration changed", SeverityMedium,
				list(tacCredentialAccess, tacDefenseEvasion), list("T1556.006"),
				"A group's two-factor requirement was weakened: no longer required, or its grace period raised. Hardening does not alert (the Falco rule alerted on every change, hardening included)."),
			names: list("group_require_two_factor_authentication_updated", "group_two_factor_grace_period_updated"),
			fallback: both(in(cEntityType, "Group"),
				in(cChangeType, "require_two_factor_authentication", "two_factor_grace_period")),
			when: condFunc(weakened2FA),
		},
		{
			info: falco("admin_granted", "GitLab - Administrator Access Level was enabled on a user", SeverityMedium,
				list(tacPersistence), list("T1098"), "A user was made an administrator."),
			names:    list("user_admin_status_updated"),
			fallback: in(cChangeType, "admin status"),
			when:     in(cTo, "true"),
		},
		{
			info: falco("admin_impersonation", "GitLab - Administrator impersonated another user", SeverityInformational,
				list(tacPersistence, tacPrivEsc), list("T1078"),
				"An administrator started impersonating a user. The instance event and its per-group copies for one administrator and one user give one alert: a start less than 60 s after the alerted one is folded into it, one 60 s or more after it alerts again; another administrator's start alerts on its own; stops do not alert (the Falco rule alerted on each copy and on stops: up to 42 alerts per session)."),
			names:    list("user_impersonation"),
			fallback: impersonationStart(),
			when:     impersonationStart(),
			// The impersonated user and the administrator: the copies
			// of one start share both; keyed by the user alone, a second
			// administrator's start within 60 s was folded into the
			// first's alert (fresh-user trial 282).
			key:      list(parser.ColTargetID, parser.ColAuthorID),
			suppress: 60 * time.Second,
		},
		{
			info: falco("reauth_disabled", "GitLab - Project Setting Require user re-authentication (password or SAML) to approve set to false",
				SeverityMedium, list(tacDefenseEvasion), list("T1562"),
				"A project stopped requiring re-authentication to approve merge requests."),
			names:    list("project_require_password_to_approve_updated", "require_reauthentication_to_approve_updated"),
			fallback: in(cChangeType, "require user password for approvals", "require_reauthentication_to_approve"),
			when:     in(cTo, "false"),
		},
		{
			info: falco("policy_project_changed", "GitLab - Project owner has modified the linked Security Policy Project",
				SeverityInformational, list(tacDefenseEvasion), list("T1562"),
				"The security policy project linked to a project or group was changed or unlinked."),
			names:    list("policy_project_updated"),
			fallback: suffix(cCustomMsg, "as the security policy project"),
		},
		{
			info: falco("ip_restrictions_changed", "GitLab - IP Restrictions Changed", SeverityMedium,
				list(tacDefenseEvasion), list("T1562"), "A group's IP address restrictions were changed."),
			names:    list("ip_restrictions_changed"),
			fallback: prefix(cCustomMsg, "Group IP restrictions updated"),
		},
		{
			info: falco("ssh_cert_created", "GitLab - SSH Certificate Created", SeverityMedium,
				list(tacPersistence), list("T1098.004"), "An SSH certificate was created for a group."),
			names: list("create_ssh_certificate"),
		},
		{
			info: falco("gpg_key_created", "GitLab - GPG Key Created", SeverityMedium,
				list(tacPersistence), list("T1098"), "A GPG key was added to a user."),
			names:    list("add_gpg_key"),
			fallback: both(in(cTargetType, "GpgKey"), in(cCustomMsg, "Added GPG key")),
		},
		{
			info: falco("pat_created", "GitLab - Personal Access Token Created", SeverityMedium,
				list(tacPersistence, tacCredentialAccess), list("T1098.001", "T1528"),
				"A personal access token was created. Refused creations (\"Attempted to create ...\") do not alert (the Falco rule alerted on them: GitLab logs them under the same event name)."),
			names:    list("personal_access_token_created"),
			fallback: prefix(cCustomMsg, "Created personal access token with id "),
			when:     notPrefix(cCustomMsg, "Attempted to create"),
		},
		{
			info: falco("project_token_created", "GitLab - Project Access Token Created", SeverityMedium,
				list(tacPersistence), list("T1098.001"), "A project access token was created."),
			names:    list("project_access_token_created"),
			fallback: prefix(cCustomMsg, "Created project access token"),
			when:     notPrefix(cCustomMsg, "Attempted to create"),
		},
		{
			info: falco("group_token_created", "GitLab - Group Access Token Created", SeverityMedium,
				list(tacPersistence), list("T1098.001"), "A group access token was created."),
			names:    list("group_access_token_created"),
			fallback: prefix(cCustomMsg, "Created group token with token_id"),
			when:     notPrefix(cCustomMsg, "Attempted to create"),
		},
		{
			info: falco("deploy_token_created", "GitLab - Deploy Token Created", SeverityMedium,
				list(tacPersistence), list("T1098.001"), "A group or project deploy token was created."),
			names:    list("group_deploy_token_created", "deploy_token_created"),
			fallback: prefix(cCustomMsg, "Created group deploy token", "Created project deploy token"),
			when:     notPrefix(cCustomMsg, "Attempted to create"),
		},
		{
			info: falco("agent_token_created", "GitLab - Cluster Agent Token Created", SeverityMedium,
				list(tacPersistence), list("T1098.001"), "A Kubernetes cluster agent token was created."),
			names:    list("cluster_agent_token_created"),
			fallback: both(in(cTargetType, "Clusters::Agent"), prefix(cCustomMsg, "Created cluster agent token")),
		},
		{
			info: falco("stream_filter_created", "GitLab - Audit Event Destination Filter Created", SeverityMedium,
				list(tacDefenseEvasion), list("T1562.008"),
				"A filter was added to an audit event streaming destination: events outside it are no longer streamed."),
			names: list("create_http_namespace_filter", "event_type_filters_created",
				"created_group_namespace_filter", "created_instance_namespace_filter"),
			fallback: prefix(cCustomMsg, "Created namespace filter", "Created audit event type filter"),
		},
		{
			info: falco("stream_destination_changed", "GitLab - Audit Event Streaming Destination updated or destroyed", SeverityMedium,
				list(tacDefenseEvasion), list("T1562.008"),
				"An audit event streaming destination was changed or destroyed. A destroyed destination does not stream its own destruction: read audit_json.log too."),
			names: list(
				"update_event_streaming_destination", "destroy_event_streaming_destination",
				"update_instance_event_streaming_destination", "destroy_instance_event_streaming_destination",
				"amazon_s3_configuration_deleted", "amazon_s3_configuration_updated",
				"instance_amazon_s3_configuration_deleted", "instance_amazon_s3_configuration_updated",
				"google_cloud_logging_configuration_deleted", "google_cloud_logging_configuration_updated",
				"instance_google_cloud_logging_configuration_deleted", "instance_google_cloud_logging_configuration_updated",
				"updated_group_audit_event_streaming_destination", "deleted_group_audit_event_streaming_destination",
				"updated_instance_audit_event_streaming_destination", "deleted_instance_audit_event_streaming_destination"),
			fallback: both(
				prefix(cTargetType, "AuditEvents::"),
				suffix(cTargetType, "ExternalAuditEventDestination", "StreamingDestination"),
				prefix(cCustomMsg, "Destroy", "Changed")),
		},
		{
			info: falco("stream_header_changed", "GitLab - Audit Event Streaming Header Update or Destroyed", SeverityMedium,
				list(tacDefenseEvasion), list("T1562.008"),
				"A custom HTTP header of an audit event streaming destination was updated or destroyed."),
			names: list("audit_events_streaming_headers_update", "audit_events_streaming_headers_destroy",
				"audit_events_streaming_instance_headers_update", "audit_events_streaming_instance_headers_destroy"),
			// Creating a header is not this rule's business.
			fallback: both(in(cTargetType, "AuditEvents::Streaming::Header", "AuditEvents::Streaming::InstanceHeader"),
				notPrefix(cCustomMsg, "Created")),
		},
	}
}

// impersonationStart holds for the start of an impersonation: the legacy
// instance event ("Started Impersonation") and the per-group Auditor copies
// ("Instance administrator started impersonation of <username>").
func impersonationStart() cond {
	return oneOf(
		in(cCustomMsg, "Started Impersonation"),
		contains(cCustomMsg, "started impersonation of"),
	)
}

// weakened2FA reports whether a group two-factor change weakens it: the
// requirement set to anything but true (false, or null: not required)
// from anything but false (true, or not known: null or absent, which the
// parser does not tell apart), though not from null to null; or the grace
// period raised (or set to a value that is not a number). The Falco rule
// alerted on every change, hardening included (its own sample turns the
// requirement on). A change of another kind under one of the rule's
// event names is reported.
func weakened2FA(ev Columns) bool {
	switch ct := ev.Get(cChangeType); {
	case ct == "require_two_factor_authentication":
		from, to := ev.Get(cFrom), ev.Get(cTo)
		return to != "true" && from != "false" && (from != "" || to != "")
	case ct == "two_factor_grace_period",
		ev.Get(cEventName) == "group_two_factor_grace_period_updated":
		return raised(ev)
	}
	return ev.Get(cEventName) != ""
}
