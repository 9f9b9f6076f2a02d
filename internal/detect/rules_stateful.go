package detect

// statefulSpecs returns the windowed, baseline, sequence and GeoIP rules:
// sentinel.bruteforce with its siblings gitlab.password_spray and
// gitlab.distributed_guessing, sentinel.repo_deletion,
// sentinel.pat_over_time, sentinel.impersonation, sentinel.signin_burst and
// the Falco country rules.
func statefulSpecs() []Spec {
	return []Spec{
		bruteforceSpec(),
		passwordSpraySpec(),
		distributedGuessingSpec(),
		repoDeletionSpec(),
		patOverTimeSpec(),
		impersonationSpec(),
		signinBurstSpec(),
		gitOpUnknownCountrySpec(),
		adminModeUnknownCountrySpec(),
	}
}

// LateCounter is implemented by rules that drop events arriving after the
// window, day or session they belong to was closed. An event older than
// the engine's watermark is still given to the rule, which folds it while
// its window, day or session is held; once that was closed, the rule
// drops the event and counts it here.
type LateCounter interface {
	// LateDropped returns how many events were dropped as too late.
	LateDropped() uint64
}

// SuppressCounter is implemented by the rules that hold back an alert of
// a key alerted within its suppression period themselves, before the
// alert is made (the windowed and baseline rules: each event that meets
// the condition again would otherwise be an alert); the engine's own
// suppression counts the others' in RuleStats.Suppressed, to which Stats
// adds this.
type SuppressCounter interface {
	// SuppressedAlerts returns how many alerts were held back.
	SuppressedAlerts() uint64
}

// suppressCount implements SuppressCounter for the rule it is embedded in.
type suppressCount struct{ n uint64 }

// SuppressedAlerts returns how many alerts the rule held back.
func (c *suppressCount) SuppressedAlerts() uint64 { return c.n }

// SkipCounter is implemented by the GeoIP rules, which pass over events
// whose address has no country (private, reserved or unknown addresses).
type SkipCounter interface {
	// Skipped returns how many events were passed over.
	Skipped() uint64
}
