package detect

// perEventSpecs returns the per-event rules: sentinel.repo_public and
// sentinel.local_auth_no_mfa, the rule table of the Falco rules, then
// sentinel.ti_malicious_ip and sentinel.external_user.
func perEventSpecs() []Spec {
	var out []Spec
	for _, r := range sentinelRows() {
		out = append(out, r.spec())
	}
	out = append(out, localAuthSpec())
	for _, r := range falcoRows() {
		out = append(out, r.spec())
	}
	return append(out, tiSpec(), externalUserSpec())
}
