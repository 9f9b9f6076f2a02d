package detect

import (
	"strings"
	"testing"
)

// TestCatalogue checks the catalogue's entries: unique ids of the form
// family.name, every field filled, and the per-event rules of
// detections.md §3 present.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Catalogue() {
		i := s.Info
		if seen[i.ID] {
			t.Errorf("duplicate rule id %s", i.ID)
		}
		seen[i.ID] = true
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
		"falco.group_token_created", "falco.deploy_token_created", "falco.cluster_agent_token_created",
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
