package detect

// statefulSpecs returns the windowed, baseline, sequence and GeoIP rules
// (sentinel.bruteforce, sentinel.repo_deletion, sentinel.pat_over_time,
// sentinel.impersonation, sentinel.signin_burst and the Falco country
// rules). This file belongs to the stateful-rules work (branch
// detect-rules), which replaces it.
func statefulSpecs() []Spec { return nil }
