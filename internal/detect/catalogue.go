package detect

// Catalogue returns every built-in rule: the per-event rules (the Sentinel
// family's sentinel.repo_public and sentinel.local_auth_no_mfa, the Falco
// GitLab plugin's rules of rules/gitlab.yaml, sentinel.ti_malicious_ip and
// sentinel.external_user), then the stateful rules (windows, baselines,
// sessions, GeoIP). The order is stable: detect --list and check print it.
func Catalogue() []Spec {
	var out []Spec
	out = append(out, perEventSpecs()...)
	out = append(out, statefulSpecs()...)
	return out
}
