package parser

import (
	"errors"
	"strings"
	"testing"
)

// dockerRecord is a Docker json-file record whose "log" holds an audit
// line: the audit keys are text in a string, not keys of the record.
const dockerRecord = `{"log":"{\"id\":1,\"author_id\":3,\"entity_id\":2,\"entity_type\":\"Project\",\"target_details\":\"g/p\"}\n","stream":"stdout","time":"2024-05-01T12:00:02.123456791Z"}`

// TestAuditNotGitLab checks that a JSON object with none of the keys GitLab
// writes in every audit event (author_id, entity_id, entity_type) is an
// *Error naming them, and that Detect does not type a Docker json-file
// record holding an audit line as audit. Before, the audit parser accepted
// such a record with only EventTime (the record's time), and send shipped
// it as GitLab-Audit-Logs (fresh-user trial #14).
func TestAuditNotGitLab(t *testing.T) {
	const cause = `not a GitLab audit event: no "author_id", "entity_id" or "entity_type" key`
	for _, tt := range []struct {
		name, line string
		ok         bool
	}{
		{"Docker record", dockerRecord, false},
		{"time only", `{"time":"2024-05-01T12:00:00Z"}`, false},
		{"other program", `{"severity":"INFO","time":"2024-05-01T12:00:00Z","author_name":"a","entity_path":"x"}`, false},
		{"keys in a replaced details", `{"details":{"author_id":1},"details":{}}`, false},
		{"key in a nested object", `{"x":{"author_id":1}}`, false},
		{"audit_json.log line", `{"severity":"INFO","time":"2024-05-01T12:00:00Z","author_id":1,"entity_id":2,"entity_type":"Project"}`, true},
		{"author_id only", `{"author_id":1}`, true},
		{"entity_type with a space", `{"entity_type ":"User"}`, true},
		{"null entity_id", `{"entity_id":null,"action":"x"}`, true},
		{"keys in details only", `{"details":{"entity_id":2}}`, true},
	} {
		var r Record
		err := new(Audit).Parse([]byte(tt.line), &r)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Reason, cause) || pe.Type != TypeAudit {
			t.Errorf("%s: %q: err = %v, want an audit *Error saying %s", tt.name, tt.line, err, cause)
		}
	}
}

// TestDetectDockerRecord checks that Detect does not type a Docker
// json-file record by the keys of the line in its "log" string, for every
// record of the bundled samples, while the line in it is typed.
func TestDetectDockerRecord(t *testing.T) {
	lines := append(readFileLines(t, "../testdata/kubernetes/docker/gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.log"),
		[]byte(dockerRecord))
	for _, line := range lines {
		if got := Detect(line); got != TypeUnknown {
			t.Errorf("Detect(%.80q) = %s, want unknown", line, got)
		}
	}
	if got := Detect([]byte(`{"id":1,"author_id":3,"entity_id":2}`)); got != TypeAudit {
		t.Errorf("Detect(the audit line) = %s, want audit", got)
	}
	if got := Detect([]byte(`{"entity_type ":"User"}`)); got != TypeAudit {
		t.Errorf(`Detect({"entity_type ":"User"}) = %s, want audit`, got)
	}
}
