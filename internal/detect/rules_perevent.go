package detect

// perEventSpecs returns the per-event rules: the rule table of the Falco
// rules and of sentinel.repo_public and sentinel.local_auth_no_mfa, then
// sentinel.ti_malicious_ip and sentinel.external_user.
func perEventSpecs() []Spec {
	var out []Spec
	for _, rows := range [][]*eventRow{sentinelRows(), falcoRows()} {
		for _, r := range rows {
			out = append(out, r.spec())
		}
	}
	out = append(out, tiSpec(), externalUserSpec())
	return out
}
