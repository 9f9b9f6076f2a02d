package detect

// perEventSpecs returns the per-event rules (the Falco rules,
// sentinel.repo_public, sentinel.local_auth_no_mfa, sentinel.ti_malicious_ip,
// sentinel.external_user).
func perEventSpecs() []Spec { return nil }
