package detect

// Catalogue returns every built-in rule, in the order of detections.md §3:
// the per-event rules of this package's rule table, then the stateful
// rules (windows, baselines, sessions, GeoIP).
func Catalogue() []Spec {
	var out []Spec
	out = append(out, perEventSpecs()...)
	out = append(out, statefulSpecs()...)
	return out
}
