package detect

import "github.com/gitlab-syslog/gitlab-syslog/parser"

func sentinel(id, name string, kind Kind, tactic, technique []string, desc string) Info {
	return Info{ID: "sentinel." + id, Name: name, Kind: kind, Severity: SeverityMedium,
		Tactic: tactic, Technique: technique, Description: desc}
}

// sentinelRows is the Sentinel family's rule in the per-event table:
// sentinel.repo_public ("GitLab - Repository visibility to Public"), a
// project's visibility changed from another level to Public. sentinel.local_auth_no_mfa
// is per event too, with a join (rule_local_auth.go).
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
	}
}
