package parser

import (
	"errors"
	"testing"
	"time"
)

// want lists expected columns; a column named with a leading "!" must be
// absent.
type want map[string]string

func checkCols(t *testing.T, r *Record, w want) {
	t.Helper()
	for name, v := range w {
		if name[0] == '!' {
			if got, ok := r.Get(name[1:]); ok {
				t.Errorf("column %s = %q, want it absent", name[1:], got)
			}
			continue
		}
		got, ok := r.Get(name)
		if !ok {
			t.Errorf("column %s missing, want %q; have:\n%s", name, v, formatCols(recordCols(r)))
			continue
		}
		if string(got) != v {
			t.Errorf("column %s = %q, want %q", name, got, v)
		}
	}
}

// parseCase is one line for a parser, the columns it must give and the
// Time it must set (RFC 3339; empty for the zero Time).
type parseCase struct {
	name string
	line string
	want want
	time string
}

// runParseCases parses each case's line with p, reusing one Record, and
// checks the record's Type, columns and Time.
func runParseCases(t *testing.T, p Parser, typ Type, tests []parseCase) {
	t.Helper()
	var r Record
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := p.Parse([]byte(tt.line), &r); err != nil {
				t.Fatal(err)
			}
			if r.Type != typ {
				t.Errorf("Type = %v", r.Type)
			}
			checkCols(t, &r, tt.want)
			wantTime := time.Time{}
			if tt.time != "" {
				wantTime, _ = time.Parse(time.RFC3339Nano, tt.time)
			}
			if !r.Time.Equal(wantTime) {
				t.Errorf("Time = %v, want %v", r.Time, wantTime)
			}
		})
	}
}

func TestAuditParse(t *testing.T) {
	tests := []parseCase{
		{
			name: "flat legacy visibility change: lowercase from/to (KQL bug 1)",
			line: `{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`,
			want: want{"SourceVisibility": "Private", "TargetVisibility": "Public", "ChangeType": "visibility",
				"AuthorID": "3", "EntityType": "Project", "EventTime": "2018-10-17T17:38:22.523Z", "!DelAction": "", "!IPAddress": ""},
			time: "2018-10-17T17:38:22.523Z",
		},
		{
			name: "capitalised From/To are not GitLab keys",
			line: `{"entity_id":null,"From":"Private","To":"Public"}`,
			want: want{"!SourceVisibility": "", "!TargetVisibility": ""},
		},
		{
			name: "remove fills RemoveAction, not DelAction (KQL bug 2)",
			line: `{"remove":"user_access","author_id":1}`,
			want: want{"RemoveAction": "user_access", "!DelAction": ""},
		},
		{
			name: "a real del key fills DelAction",
			line: `{"entity_id":null,"del":"x"}`,
			want: want{"DelAction": "x"},
		},
		{
			name: "streaming body: string id, object custom_message, event_type, created_at",
			line: `{"id":"1","author_id":-3,"entity_id":29,"entity_type":"Project","details":{"author_name":"deploy-key-name","author_class":"DeployKey","target_id":29,"custom_message":{"protocol":"ssh", "action":"git-upload-pack"}},"created_at":"2022-07-26T05:43:53.662Z","event_type":"repository_git_operation"}`,
			want: want{"EventID": "1", "AuthorID": "-3", "AuthorClass": "DeployKey",
				"CustomMessage": `{"protocol":"ssh","action":"git-upload-pack"}`,
				"EventName":     "repository_git_operation", "EventTime": "2022-07-26T05:43:53.662Z",
				"CreatedAt": "2022-07-26T05:43:53.662Z", "TargetID": "29"},
			time: "2022-07-26T05:43:53.662Z",
		},
		{
			// The name GitLab streams a legacy AuditEventService event
			// under (trial 74): no name, as the event's file line has.
			name: "streaming body: event_type audit_operation is no EventName",
			line: `{"id":7,"author_id":1,"entity_id":29,"entity_type":"Project","details":{"change":"visibility","from":"Private","to":"Public"},"created_at":"2024-06-10T09:00:00.000Z","event_type":"audit_operation"}`,
			want: want{"EventID": "7", "AuthorID": "1", "EntityID": "29", "EntityType": "Project", "ChangeType": "visibility",
				"SourceVisibility": "Private", "TargetVisibility": "Public", "!EventName": "",
				"EventTime": "2024-06-10T09:00:00.000Z", "CreatedAt": "2024-06-10T09:00:00.000Z"},
			time: "2024-06-10T09:00:00.000Z",
		},
		{
			name: "event_name audit_operation is kept",
			line: `{"entity_id":null,"event_type":"a","details":{"event_name":"audit_operation"}}`,
			want: want{"EventName": "audit_operation"},
		},
		{
			name: "an escaped event_type audit_operation is no EventName either",
			line: `{"entity_id":null,"event_type":"audit\u005foperation"}`,
			want: want{"!EventName": ""},
		},
		{
			name: "an event_type that begins as audit_operation is an EventName",
			line: `{"entity_id":null,"event_type":"audit_operation_x"}`,
			want: want{"EventName": "audit_operation_x"},
		},
		{
			name: "event_name wins over event_type",
			line: `{"entity_id":null,"event_type":"a","details":{"event_name":"b"}}`,
			want: want{"EventName": "b"},
		},
		{
			name: "key with a stray space",
			line: `{"entity_type ":"User","author_id":2}`,
			want: want{"EntityType": "User", "AuthorID": "2"},
		},
		{
			name: "bool, null and array values",
			line: `{"entity_id":null,"details":{"from":false,"to":true,"ip_address":null,"custom_message":["a", "b"]}}`,
			want: want{"SourceVisibility": "false", "TargetVisibility": "true", "!IPAddress": "", "CustomMessage": `["a","b"]`},
		},
		{
			name: "top level overrides details",
			line: `{"entity_id":null,"details":{"ip_address":"10.9.9.9","author_name":"d"},"ip_address":"10.9.9.8"}`,
			want: want{"IPAddress": "10.9.9.8", "AuthorName": "d"},
		},
		{
			name: "escapes are decoded",
			line: `{"entity_id":null,"author_name":"J\u00f6rg \"A\" M\u00fcller\n"}`,
			want: want{"AuthorName": "Jörg \"A\" Müller\n"},
		},
		{
			name: "role, failed login, impersonation, author email",
			line: `{"entity_id":null,"as":"Developer","failed_login":"STANDARD","impersonated_by":"Harry Potter","author_email":"a@b.c","with":"saml","action":"custom"}`,
			want: want{"Role": "Developer", "FailedLogin": "STANDARD", "ImpersonatedBy": "Harry Potter",
				"AuthorEmail": "a@b.c", "AuthenticationType": "saml", "Action": "custom"},
		},
		{
			name: "meta keys keep their names, in order, numbers as text",
			line: `{"entity_id":null,"meta.user":"root","meta.user_id":1,"meta.caller_id":"X#y","meta.custom_thing":"z"}`,
			want: want{"meta.user": "root", "meta.user_id": "1", "meta.caller_id": "X#y", "meta.custom_thing": "z"},
		},
		{
			name: "created_at with an offset",
			line: `{"entity_id":null,"created_at":"2024-05-10T19:46:49.058+02:00"}`,
			want: want{"EventTime": "2024-05-10T19:46:49.058+02:00"},
			time: "2024-05-10T17:46:49.058Z",
		},
		{
			name: "unreadable time is left out, Time stays zero",
			line: `{"entity_id":null,"time":"yesterday"}`,
			want: want{"!EventTime": ""},
		},
		{
			name: "placeholder time: EventTime falls back to created_at",
			line: `{"entity_id":null,"time":"-","created_at":"2024-05-10T17:46:49.058+00:00"}`,
			want: want{"EventTime": "2024-05-10T17:46:49.058+00:00", "CreatedAt": "2024-05-10T17:46:49.058+00:00"},
			time: "2024-05-10T17:46:49.058Z",
		},
		{
			name: "placeholders in every typed column are left out",
			line: `{"time":"-","created_at":"-","author_id":"-","entity_id":"-","target_id":"-","id":"-","author_name":"-"}`,
			want: want{"!EventTime": "", "!CreatedAt": "", "!AuthorID": "", "!EntityID": "", "!TargetID": "", "!EventID": "",
				"AuthorName": "-"},
		},
		{
			name: "ids: integers and integer strings kept, other text left out",
			line: `{"author_id":"-1","entity_id":"n/a","target_id":"flightjs/flight","id":"9b7c4f1e-3f0a"}`,
			want: want{"AuthorID": "-1", "!EntityID": "", "TargetID": "flightjs/flight", "EventID": "9b7c4f1e-3f0a"},
		},
		{
			name: "non-integer numbers are not ids",
			line: `{"author_id":1.5,"entity_id":2e3,"target_id":7,"id":-0}`,
			want: want{"!AuthorID": "", "!EntityID": "", "TargetID": "7", "EventID": "-0"},
		},
	}
	runParseCases(t, new(Audit), TypeAudit, tests)
}

// TestAuditShapes checks that the three shapes GitLab writes give the same
// columns.
func TestAuditShapes(t *testing.T) {
	const env = `"severity":"INFO","time":"2024-06-03T09:12:44.301Z","author_id":1,"entity_id":7,"entity_type":"Project"`
	const details = `"change":"visibility_level","from":"Private","to":"Internal","author_name":"Administrator","target_id":7,"target_type":"Project","target_details":"group/proj","ip_address":"10.0.0.1","entity_path":"group/proj"`
	shapes := map[string]string{
		"flat":          `{` + env + `,` + details + `}`,
		"nested":        `{` + env + `,"details":{` + details + `}}`,
		"nested+flat":   `{` + env + `,"details":{` + details + `},` + details + `}`,
		"details first": `{"details":{` + details + `},` + env + `}`,
		// A blank (null or "") top-level value leaves the value of
		// details standing (fresh-user trial 89: "ip_address":null at the
		// top level erased the address in details, as in the bundled
		// sample's line 13).
		"nested+blank top":  `{` + env + `,"details":{` + details + `},"ip_address":null,"author_name":"","target_id":null}`,
		"blank top+nested":  `{"ip_address":null,"author_name":"","target_id":null,` + env + `,"details":{` + details + `}}`,
		"nested+blank both": `{` + env + `,"details":{` + details + `,"action":null},"ip_address":null,"action":""}`,
	}
	var first Record
	if err := new(Audit).Parse([]byte(shapes["flat"]), &first); err != nil {
		t.Fatal(err)
	}
	if len(first.Fields) != 14 {
		t.Fatalf("flat shape gave %d columns:\n%s", len(first.Fields), formatCols(recordCols(&first)))
	}
	for name, line := range shapes {
		var r Record
		if err := new(Audit).Parse([]byte(line), &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !r.Equal(&first) {
			t.Errorf("%s shape differs:\n%s\nwant\n%s", name, formatCols(recordCols(&r)), formatCols(recordCols(&first)))
		}
	}
}

func TestAuditErrors(t *testing.T) {
	tests := []struct {
		line   string
		offset int
	}{
		{`{"severity":"INFO"`, 18},
		{`{"severity":"INFO"} trailing`, 20},
		{`not json`, 0},
		{``, 0},
		{`{"a":"b\u12"}`, 7},
		{`{"details":{"x":tru}}`, 16},
	}
	for _, tt := range tests {
		var r Record
		err := new(Audit).Parse([]byte(tt.line), &r)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("%q: error %v is not *Error", tt.line, err)
		}
		if pe.Type != TypeAudit || pe.Offset != tt.offset {
			t.Errorf("%q: got %+v, want offset %d", tt.line, pe, tt.offset)
		}
	}
	err := new(Audit).Parse([]byte(`{"a":1`), new(Record))
	if got, want := err.Error(), "audit: invalid JSON: unexpected end of JSON at byte 6"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
