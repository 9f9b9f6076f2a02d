// Package detect is the detection engine: it runs the analytics rules of
// Microsoft Sentinel's GitLab solution (Azure-Sentinel,
// Solutions/GitLab/Analytic Rules) and the rules of the Falco GitLab plugin
// (an1245/falco-plugin-gitlab, rules/gitlab.yaml), with their bugs fixed,
// plus a few rules of its own (gitlab.*), over parsed GitLab log lines, in
// event time, and produces alerts. Catalogue lists them; each rule's doc
// comment and Info.Description state what it detects and its parameters.
//
// # Place in the agent
//
// The engine sits after parse (and GeoIP) and before encode. A parse
// worker asks its Wanter (Engine.NewWanter; Engine.WantRules and Want
// from any goroutine) which rules want each parsed line: a line whose
// dispatch keys match no rule costs one map lookup; the rules whose keys
// match are then asked through their filters (Filter, WantFilter) on the
// parsed record, the columns they read looked up in one pass; neither
// allocates. Audit lines without EventName (the fallback predicates of
// most rules) are answered by one table compiled from the rules'
// conditions, without asking their filters.
// A wanted line is copied into an
// Event (Event.Fill) with its source, origin, file identity and offset,
// and the set of rules that want it (Event.Rules), and handed to
// Engine.Process in file order per source, which runs those rules; an
// event without a set of the engine is dispatched from its columns. Alerts go to
// Config.Emit; Alert.Message turns one into an RFC 5424 message with
// APP-NAME GitLab-Detections, and Alert.AppendJSON into one line of JSON.
//
// # Time, duplicates, state
//
// Rules decide in event time. The engine keeps a watermark per source
// (newest event time − Config.Lateness); rules are advanced by the highest
// one (Rule.Advance) and close windows, expire sessions and roll baselines
// by it, never by the wall clock, so a replay gives the alerts of the live
// run. Events are deduplicated (EventID, EventName and creation time all
// equal; never without EventID), lines re-read after a restart are not
// folded twice (source, file identity and offset in the snapshot), and
// alerts are suppressed per (rule, key) for the rule's suppression period
// and never repeated with the same alert_id. Engine.Save writes the
// engine's and the Stateful rules' state to state_dir/detect/ (Store);
// New loads it, and an unreadable file only makes a rule learn again.
//
// # Adding a rule
//
//  1. Write a type implementing Rule. Wants returns the dispatch keys
//     (EventName("..."), EventKind("..."), NoEventName() for the fallback
//     predicate of lines without EventName, AllOf(t) for every line of a
//     type). Implement Filter when Observe discards most matching lines
//     at once (a fallback predicate, a lookup in a list): Want then drops
//     them before they are copied. Observe gets only events that match a
//     key (and pass the Filter); it must decide on
//     the event's columns (Event.Get with the parser.Col* names) and its
//     Time, and call emit with an *Alert. Advance and Close emit what
//     closing windows produces; per-event rules leave them empty.
//  2. Keep per-key state in Windows (sliding counts) or Hourly (baselines);
//     both are bounded by max_keys and report evictions (implement
//     KeyCounter to export them). Implement Stateful when the state must
//     survive a restart (JSON, with a schema version).
//  3. Fill the Alert: Key (the grouping columns, which also key the
//     suppression), Columns (further alert columns, under our column
//     names), Count, Threshold, baseline, window and first/last event
//     times, EventIDs (AddEventID), Learning, and Event for per-event
//     rules. Leave Info, ID and DetectedAt: the engine fills them (ID =
//     AlertID of rule, key and window start or event identity).
//  4. Add a Spec to the catalogue (Catalogue): Info (id "<family>.<name>",
//     name, kind, severity, MITRE tactic and technique, description),
//     Default (on unless it needs data it may lack), Params (the names
//     it reads), Suppress (the default quiet period per key), and New,
//     which reads its parameters from *Params (String, List, Bool, Int,
//     Duration; errors name the rule and parameter) and returns an
//     *OffError when it cannot run (no allow-list, no GeoIP database).
//  5. Add testdata/detections/<rule id>/ with input files in GitLab's real
//     formats, expected.json, and a near-miss input that must stay silent.
package detect
