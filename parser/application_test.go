package parser

import (
	"errors"
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
			line: `{"message":"Successful Login: username=root ip=192.168.65.1 method=standard admin=true"}`,
			want: want{"EventKind": "successful_login", "Username": "root", "IPAddress": "192.168.65.1",
				"AuthenticationType": "standard", "Admin": "true"},
		},
		{
			name: "logout",
			line: `{"message":"User Logout: username=root ip=192.168.65.1"}`,
			want: want{"EventKind": "logout", "Username": "root", "IPAddress": "192.168.65.1"},
		},
		{
			name: "user created",
			line: `{"message":"User \"test23\" (test23@elastic.co) was created"}`,
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
			line: `{"message":"User \"x\" (x@example.com) was removed"}`,
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
			line: `{"message":"created a new project \"ns / p\""}`,
			want: want{"EventKind": "project_created", "!Owner": "", "Project": "ns / p"},
		},
		{
			name: "project removed (old)",
			line: `{"message":"Project \"project133\" was removed"}`,
			want: want{"EventKind": "project_removed", "Project": "project133"},
		},
		{
			name: "project deleted (2024)",
			line: `{"message":"Project \"root/test\" was deleted"}`,
			want: want{"EventKind": "project_removed", "Project": "root/test"},
		},
		{
			name: "group created is not a user (KQL UserAdded confusion)",
			line: `{"message":"Group \"elastic_group\" was created"}`,
			want: want{"EventKind": "group_created", "Group": "elastic_group", "!Username": ""},
		},
		{
			name: "group removed",
			line: `{"message":"Group \"g\" was removed"}`,
			want: want{"EventKind": "group_removed", "Group": "g"},
		},
		{
			name: "impersonation started",
			line: `{"message":"User root has started impersonating test23"}`,
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
			line: `{"message":"Failed Login attempt"}`,
			want: want{"Message": "Failed Login attempt", "!EventKind": ""},
		},
		{
			name: "message that is not a string",
			line: `{"message":{"k":"v"}}`,
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
