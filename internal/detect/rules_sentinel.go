package detect

import "github.com/gitlab-syslog/gitlab-syslog/parser"

func sentinel(id, name string, kind Kind, tactic, technique []string, desc string) Info {
	return Info{ID: "sentinel." + id, Name: name, Kind: kind, Severity: SeverityMedium,
		Tactic: tactic, Technique: technique, Description: desc}
}

// sentinelRows is the per-event part of the Sentinel family
// (detections.md §4.1): repository made public, local sign-in without MFA.
func sentinelRows() []*eventRow {
	visibility := []string{"visibility", "visibility_level"}
	return []*eventRow{
		{
			info: sentinel("repo_public", "GitLab - Repository visibility to Public", KindPerEvent,
				list(tacPersistence, tacDefenseEvasion, tacCredentialAccess), list("T1556"),
				"A project's visibility was changed to Public from Private or Internal."),
			names:    list("project_visibility_level_updated"),
			fallback: in(cChangeType, visibility...),
			when: both(
				oneOf(in(cChangeType, visibility...), in(cEventName, "project_visibility_level_updated")),
				oneOf(in(cTargetType, "Project"), in(cEntityType, "Project")),
				in(cTo, "Public"),
				notIn(cFrom, "Public")),
			key: list(parser.ColEntityPath),
		},
		{
			info: sentinel("local_auth_no_mfa", "GitLab - Local Auth - No MFA", KindPerEvent,
				list(tacCredentialAccess), list("T1110"),
				"An administrator (with is_admin=false: any user) signed in with a password and no second factor."),
			kinds:  list(parser.KindSuccessfulLogin),
			when:   in(parser.ColAuthenticationType, "standard"),
			key:    list(parser.ColUsername),
			params: list("is_admin"),
			paramWhen: func(p *Params) (cond, error) {
				if p.Bool("is_admin", true) {
					return in(parser.ColAdmin, "true"), nil
				}
				return nil, nil
			},
		},
	}
}
