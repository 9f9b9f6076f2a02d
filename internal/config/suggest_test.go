package config

import "testing"

// TestSuggest: a "did you mean" is a name a few edits from the one given,
// and never one the edits would make out of most of it: "42" is 2 edits
// from "a", within the 2 edits allowed, and was suggested for a missing
// path 42 in a directory holding a (fresh-user trial 46).
func TestSuggest(t *testing.T) {
	tests := []struct {
		s     string
		known []string
		want  string
	}{
		{"sorces", []string{"sources", "state_dir"}, "sources"},
		{"acces", []string{"audit", "access"}, "access"},
		{"lgos", []string{"logs", "gitlab"}, "logs"}, // 2 edits of 4 bytes
		{"gitlab_rails", []string{"gitlab-rails", "nginx"}, "gitlab-rails"},
		{"audit_jsn.log", []string{"audit_json.log", "auth_json.log"}, "audit_json.log"},
		{"falco.pat_create", []string{"falco.pat_created"}, "falco.pat_created"},
		{"Hihg", []string{"High", "Medium"}, "High"},
		{"42", []string{"a"}, ""},  // 2 edits of 2 bytes
		{"42", []string{"ab"}, ""}, // the same
		{"ab", []string{"ba"}, ""},
		{"x", []string{"y"}, ""},
		{"udp", []string{"tcp"}, ""}, // 2 edits of 3 bytes
		{"zzzzz", []string{"audit"}, ""},
		{"ulr", []string{"url", "hostname"}, "url"},                        // a swap is one edit (trial 47)
		{"Hihg", []string{"High", "Medium"}, "High"},                       // the same
		{"app", []string{"audit", "application", "access"}, "application"}, // the one name it begins
		{"audit_json", []string{"audit_json.log", "auth_json.log"}, "audit_json.log"},
		{"aud", []string{"audit", "audit_json.log"}, ""}, // begins two names
		{"au", []string{"audit"}, ""},                    // too short to begin one
	}
	for _, tt := range tests {
		if got := Suggest(tt.s, tt.known); got != tt.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", tt.s, tt.known, got, tt.want)
		}
	}
}
