package parser

import (
	"errors"
	"strings"
	"testing"
)

func TestApplicationParse(t *testing.T) {
	tests := []parseCase{
		{
			name: "failed login, JSON, meta kept",
			line: `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","correlation_id":"01HZ","meta.caller_id":"SessionsController#new","message":"Failed Login: username=test ip=192.168.65.1"}`,
			want: want{"Severity": "INFO", "CorrelationID": "01HZ", "EventKind": "failed_login", "Username": "test",
				"IPAddress": "192.168.65.1", "meta.caller_id": "SessionsController#new",
				"Message": "Failed Login: username=test ip=192.168.65.1"},
			time: "2024-05-31T14:32:44.108Z",
		},
		{
			name: "failed login, username with spaces, no trailing space (KQL bug 21)",
			line: `2020-04-09T14:15:09.344Z: Failed Login: username=user name ip=80.10.11.12`,
			want: want{"EventKind": "failed_login", "Username": "user name", "IPAddress": "80.10.11.12",
				"EventTime": "2020-04-09T14:15:09.344Z", "!Severity": ""},
			time: "2020-04-09T14:15:09.344Z",
		},
		{
			name: "text line with a CRLF ending: the CR is no part of the message (trial 254)",
			line: "2020-04-09T14:04:00.667Z: User Logout: username=admin ip=80.10.11.13\r",
			want: want{"EventKind": "logout", "Username": "admin", "IPAddress": "80.10.11.13",
				"Message": "User Logout: username=admin ip=80.10.11.13"},
			time: "2020-04-09T14:04:00.667Z",
		},
		{
			name: "failed login, empty username",
			line: `2020-04-09T14:16:20.101Z: Failed Login: username= ip=80.10.11.12`,
			want: want{"EventKind": "failed_login", "!Username": "", "IPAddress": "80.10.11.12"},
			time: "2020-04-09T14:16:20.101Z",
		},
		{
			name: "failed login, username containing ip=",
			line: `2020-04-09T14:16:20.101Z: Failed Login: username=a ip=b ip=80.10.11.12`,
			want: want{"Username": "a ip=b", "IPAddress": "80.10.11.12"},
			time: "2020-04-09T14:16:20.101Z",
		},
		{
			name: "successful login",
			line: `{"severity":"INFO","time":"-","message":"Successful Login: username=root ip=192.168.65.1 method=standard admin=true"}`,
			want: want{"EventKind": "successful_login", "Username": "root", "IPAddress": "192.168.65.1",
				"AuthenticationType": "standard", "Admin": "true"},
		},
		{
			name: "logout",
			line: `{"severity":"INFO","time":"-","message":"User Logout: username=root ip=192.168.65.1"}`,
			want: want{"EventKind": "logout", "Username": "root", "IPAddress": "192.168.65.1"},
		},
		{
			name: "user created",
			line: `{"severity":"INFO","time":"-","message":"User \"test23\" (test23@elastic.co) was created"}`,
			want: want{"EventKind": "user_created", "Username": "test23", "EmailAddress": "test23@elastic.co"},
		},
		{
			name: "user removed, two spaces",
			line: `October 07, 2014 11:25: User "Claudie Hodkiewicz" (nasir_stehr@olson.co.uk)  was removed`,
			want: want{"EventKind": "user_removed", "Username": "Claudie Hodkiewicz", "EmailAddress": "nasir_stehr@olson.co.uk",
				"EventTime": "October 07, 2014 11:25"},
			time: "2014-10-07T11:25:00Z",
		},
		{
			name: "user removed, one space",
			line: `{"severity":"INFO","time":"-","message":"User \"x\" (x@example.com) was removed"}`,
			want: want{"EventKind": "user_removed", "Username": "x", "EmailAddress": "x@example.com"},
		},
		{
			name: "project created with owner",
			line: `October 06, 2014 11:56: Gitlab Org created a new project "Gitlab Org / Gitlab Ce"`,
			want: want{"EventKind": "project_created", "Owner": "Gitlab Org", "Project": "Gitlab Org / Gitlab Ce"},
			time: "2014-10-06T11:56:00Z",
		},
		{
			name: "project created without owner",
			line: `{"severity":"INFO","time":"-","message":"created a new project \"ns / p\""}`,
			want: want{"EventKind": "project_created", "!Owner": "", "Project": "ns / p"},
		},
		{
			name: "project removed (old)",
			line: `{"severity":"INFO","time":"-","message":"Project \"project133\" was removed"}`,
			want: want{"EventKind": "project_removed", "Project": "project133"},
		},
		{
			name: "project deleted (2024)",
			line: `{"severity":"INFO","time":"-","message":"Project \"root/test\" was deleted"}`,
			want: want{"EventKind": "project_removed", "Project": "root/test"},
		},
		{
			name: "group created is not a user (KQL UserAdded confusion)",
			line: `{"severity":"INFO","time":"-","message":"Group \"elastic_group\" was created"}`,
			want: want{"EventKind": "group_created", "Group": "elastic_group", "!Username": ""},
		},
		{
			name: "group removed",
			line: `{"severity":"INFO","time":"-","message":"Group \"g\" was removed"}`,
			want: want{"EventKind": "group_removed", "Group": "g"},
		},
		{
			name: "impersonation started",
			line: `{"severity":"INFO","time":"-","message":"User root has started impersonating test23"}`,
			want: want{"EventKind": "impersonation_started", "Username": "root", "TargetUser": "test23"},
		},
		{
			name: "impersonation stopped",
			line: `2020-04-09T14:58:07.330Z: User admin has stopped impersonating jdoe`,
			want: want{"EventKind": "impersonation_stopped", "Username": "admin", "TargetUser": "jdoe"},
			time: "2020-04-09T14:58:07.330Z",
		},
		{
			name: "placeholder time is left out",
			line: `{"severity":"INFO","time":"-","message":"x"}`,
			want: want{"Severity": "INFO", "!EventTime": "", "Message": "x"},
		},
		{
			name: "no message: no EventKind",
			line: `{"severity":"INFO","time":"2024-05-31T19:20:00.004Z","partition_manager":"x"}`,
			want: want{"Severity": "INFO", "!Message": "", "!EventKind": ""},
			time: "2024-05-31T19:20:00.004Z",
		},
		{
			name: "other message: no EventKind",
			line: `{"severity":"INFO","time":"-","message":"Failed Login attempt"}`,
			want: want{"Message": "Failed Login attempt", "!EventKind": ""},
		},
		{
			name: "message that is not a string",
			line: `{"severity":"INFO","time":"-","message":{"k":"v"}}`,
			want: want{"Message": `{"k":"v"}`, "!EventKind": ""},
		},
		{
			name: "text line with an offset",
			line: `2020-04-09T16:04:00.667+02:00: hello`,
			want: want{"Message": "hello"},
			time: "2020-04-09T14:04:00.667Z",
		},
	}
	runParseCases(t, new(Application), TypeApplication, tests)
}

func TestApplicationErrors(t *testing.T) {
	for _, line := range []string{
		"",
		"hello world",
		"2020-04-09T14:04:00.667Z Failed Login",
		"2020-02-30T14:04:00.667Z: bad date",
		"Octember 06, 2014 11:56: x",
		"October 06, 2014 11:56 x",
		`{"message":"x"`,
		"\tFailed Login: username=a ip=b",
	} {
		var r Record
		err := new(Application).Parse([]byte(line), &r)
		var pe *Error
		if !errors.As(err, &pe) || pe.Type != TypeApplication {
			t.Errorf("%q: got %v, want an application *Error", line, err)
		}
	}
}

// TestApplicationNotGitLab checks that a JSON object without the keys
// Gitlab::JsonLogger writes in every line ("severity" and "time", at the
// top level) is an *Error naming what is missing, not an application line
// with no columns (fresh-user trial: {"a":1} parsed as {}), and that
// Detect does not take it for an application line either.
func TestApplicationNotGitLab(t *testing.T) {
	tests := []struct {
		line, reason string // reason: "" when the line parses
	}{
		{`{}`, `no "severity" or "time" key`},
		{`{"a":1}`, `no "severity" or "time" key`},
		{`{"message":"Failed Login: username=a ip=b"}`, `no "severity" or "time" key`},
		{`{"time":"2024-05-31T14:32:44.108Z","message":"x"}`, `no "severity" key`},
		{`{"log":"x\n","stream":"stdout","time":"2024-05-31T14:32:44.108Z"}`, `no "severity" key`},
		{`{"severity":"INFO","message":"x"}`, `no "time" key`},
		{`{"message":"\"severity\":\"INFO\",\"time\":\"x\""}`, `no "severity" or "time" key`},
		// A key present with any value is enough: JsonLogger's message
		// hash can override a value, never remove the key.
		{`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z"}`, ""},
		{`{"severity":null,"time":null}`, ""},
		{`{"time":"-","severity":""}`, ""},
		{`{ "severity" : "INFO" , "time" : 1 }`, ""},
	}
	for _, tt := range tests {
		var r Record
		err := new(Application).Parse([]byte(tt.line), &r)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%s: %v, want it parsed", tt.line, err)
			}
			if got := Detect([]byte(tt.line)); got != TypeApplication {
				t.Errorf("Detect(%s) = %v, want application", tt.line, got)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Type != TypeApplication {
			t.Errorf("%s: got %v, want an application *Error", tt.line, err)
			continue
		}
		want := "not a GitLab application_json.log line: " + tt.reason
		if !strings.HasPrefix(pe.Reason, want) {
			t.Errorf("%s: reason %q, want it to start with %q", tt.line, pe.Reason, want)
		}
		if got := Detect([]byte(tt.line)); got == TypeApplication {
			t.Errorf("Detect(%s) = application, want no application line", tt.line)
		}
	}
	// Keys of a nested object are not the line's: Detect, which does not
	// validate, may take the line for an application one; the parser
	// refuses it.
	var r Record
	err := new(Application).Parse([]byte(`{"details":{"severity":"INFO","time":"2024-05-31T14:32:44.108Z"}}`), &r)
	if err == nil || !strings.Contains(err.Error(), `no "severity" or "time" key`) {
		t.Errorf("nested keys: got %v, want the missing keys named", err)
	}
}
