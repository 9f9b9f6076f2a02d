package detect

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// TestCatalogue checks the catalogue's entries: unique ids of the form
// family.name that fit the RFC 5424 MSGID (32 bytes), every field filled, and the per-event rules of
// the Sentinel GitLab solution and the Falco GitLab plugin present.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Catalogue() {
		i := s.Info
		if seen[i.ID] {
			t.Errorf("duplicate rule id %s", i.ID)
		}
		seen[i.ID] = true
		if len(i.ID) > forwarder.MaxMsgID {
			t.Errorf("rule id %s is %d bytes: the MSGID of its alerts holds %d", i.ID, len(i.ID), forwarder.MaxMsgID)
		}
		if !strings.Contains(i.ID, ".") || i.Name == "" || i.Kind == 0 || i.Severity == 0 ||
			len(i.Tactic) == 0 || len(i.Technique) == 0 || i.Description == "" || s.New == nil {
			t.Errorf("incomplete catalogue entry %+v", i)
		}
	}
	for _, id := range []string{
		"falco.failed_login_standard", "falco.failed_login_otp", "falco.failed_login_webauthn", "falco.omniauth_failed",
		"falco.user_locked", "falco.user_2fa_disabled", "falco.group_2fa_changed", "falco.admin_granted",
		"falco.admin_impersonation", "falco.reauth_disabled", "falco.policy_project_changed", "falco.ip_restrictions_changed",
		"falco.ssh_cert_created", "falco.gpg_key_created", "falco.pat_created", "falco.project_token_created",
		"falco.group_token_created", "falco.deploy_token_created", "falco.agent_token_created",
		"falco.stream_filter_created", "falco.stream_destination_changed", "falco.stream_header_changed",
		"sentinel.repo_public", "sentinel.local_auth_no_mfa", "sentinel.ti_malicious_ip", "sentinel.external_user",
	} {
		if !seen[id] {
			t.Errorf("rule %s missing from the catalogue", id)
		}
	}
	if seen["falco.plugin_error"] {
		t.Error("falco.plugin_error is not a detection (covered by the agent's metrics)")
	}
}

// TestFallbackCounted checks that a line without EventName matched by the
// fallback predicate is counted apart from named events.
func TestFallbackCounted(t *testing.T) {
	var alerts []*Alert
	e, err := New(Config{Only: []string{"falco.pat_created"}, Emit: func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	named := auditEvent("1", "personal_access_token_created", "alice", t0, "stream", 0)
	named.Columns = append(named.Columns, Column{"CustomMessage", "Created personal access token with id 1"})
	legacyLine := auditEvent("2", "", "alice", t0.Add(time.Second), "audit_json.log", 10)
	legacyLine.Columns = append(legacyLine.Columns, Column{"CustomMessage", "Created personal access token with id 2"})
	refused := auditEvent("3", "", "alice", t0.Add(2*time.Second), "audit_json.log", 20)
	refused.Columns = append(refused.Columns, Column{"CustomMessage", "Attempted to create personal access token but failed with message: x"})
	for _, ev := range []*Event{named, legacyLine, refused} {
		e.Process(ev)
	}
	// The refused creation fails the rule's filter (Filter): it never
	// reaches Observe, so it is not evaluated.
	st := e.Stats().Rules["falco.pat_created"]
	if len(alerts) != 2 || st.Fallback != 1 || st.Evaluated != 2 {
		t.Errorf("alerts %d, fallback %d, evaluated %d; want 2, 1, 2", len(alerts), st.Fallback, st.Evaluated)
	}
}

// TestCatalogueMITRE checks each rule's MITRE tactics and techniques
// against the specification's catalogue: the Azure rule's values for the
// Sentinel family, the suggested ones for the Falco rules. Where the
// catalogue names techniques only, the tactics are the ones ATT&CK gives
// them that this project chose (want nil: not compared).
func TestCatalogueMITRE(t *testing.T) {
	want := map[string]struct{ tactic, technique []string }{
		"sentinel.bruteforce":              {list("CredentialAccess"), list("T1110")},
		"sentinel.external_user":           {list("Persistence"), list("T1136")},
		"sentinel.impersonation":           {list("Persistence"), list("T1078")},
		"sentinel.local_auth_no_mfa":       {list("CredentialAccess"), list("T1110")},
		"sentinel.ti_malicious_ip":         {list("InitialAccess"), list("T1078")},
		"sentinel.pat_over_time":           {list("Collection"), list("T1213")},
		"sentinel.repo_public":             {list("Persistence", "DefenseEvasion", "CredentialAccess"), list("T1556")},
		"sentinel.repo_deletion":           {list("Impact"), list("T1485")},
		"sentinel.signin_burst":            {list("CredentialAccess"), list("T1110")},
		"falco.git_op_unknown_country":     {list("Collection"), list("T1213.003")},
		"falco.admin_mode_unknown_country": {list("PrivilegeEscalation", "InitialAccess"), list("T1078")},
		"falco.failed_login_standard":      {list("CredentialAccess"), list("T1110")},
		"falco.failed_login_otp":           {nil, list("T1110", "T1111")},
		"falco.failed_login_webauthn":      {nil, list("T1110")},
		"falco.omniauth_failed":            {nil, list("T1110")},
		"falco.user_locked":                {nil, list("T1110")},
		"falco.user_2fa_disabled":          {nil, list("T1556.006")},
		"falco.group_2fa_changed":          {nil, list("T1556.006")},
		"falco.admin_granted":              {list("Persistence"), list("T1098")},
		"falco.admin_impersonation":        {nil, list("T1078")},
		"falco.reauth_disabled":            {list("DefenseEvasion"), list("T1562")},
		"falco.policy_project_changed":     {nil, list("T1562")},
		"falco.ip_restrictions_changed":    {nil, list("T1562")},
		"falco.ssh_cert_created":           {list("Persistence"), list("T1098.004")},
		"falco.gpg_key_created":            {nil, list("T1098")},
		"falco.pat_created":                {nil, list("T1098.001", "T1528")},
		"falco.project_token_created":      {nil, list("T1098.001")},
		"falco.group_token_created":        {nil, list("T1098.001")},
		"falco.deploy_token_created":       {nil, list("T1098.001")},
		"falco.agent_token_created":        {nil, list("T1098.001")},
		"falco.stream_filter_created":      {list("DefenseEvasion"), list("T1562.008")},
		"falco.stream_destination_changed": {nil, list("T1562.008")},
		"falco.stream_header_changed":      {nil, list("T1562.008")},
	}
	for _, s := range Catalogue() {
		i := s.Info
		w, ok := want[i.ID]
		if !ok {
			continue // ours, not in the catalogue (gitlab.*)
		}
		delete(want, i.ID)
		if w.tactic != nil && !slices.Equal(i.Tactic, w.tactic) {
			t.Errorf("%s: tactic %q, catalogue %q", i.ID, i.Tactic, w.tactic)
		}
		if !slices.Equal(i.Technique, w.technique) {
			t.Errorf("%s: technique %q, catalogue %q", i.ID, i.Technique, w.technique)
		}
	}
	for id := range want {
		t.Errorf("%s: in the catalogue, not a rule", id)
	}
}
