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
// window, day or session they belong to was closed (detections.md §6.2:
// late events are folded while their window is held, else counted).
type LateCounter interface {
	// LateDropped returns how many events were dropped as too late.
	LateDropped() uint64
}

// SkipCounter is implemented by the GeoIP rules, which pass over events
// whose address has no country (private, reserved or unknown addresses).
type SkipCounter interface {
	// Skipped returns how many events were passed over.
	Skipped() uint64
}
