package parser_test

import (
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func ExampleAudit_Parse() {
	line := []byte(`{"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"entity_id":2,"entity_type":"Project","change":"visibility","from":"Private","to":"Public","author_name":"John Doe4","target_id":2,"target_type":"Project","target_details":"namespace2/project2"}`)
	var r parser.Record
	if err := new(parser.Audit).Parse(line, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Time)
	for _, f := range r.Fields {
		fmt.Printf("%s=%s\n", f.Name, f.Value)
	}
	// Output:
	// 2018-10-17 17:38:22.523 +0000 UTC
	// Severity=INFO
	// EventTime=2018-10-17T17:38:22.523Z
	// AuthorID=3
	// AuthorName=John Doe4
	// EntityID=2
	// EntityType=Project
	// TargetID=2
	// TargetType=Project
	// TargetDetails=namespace2/project2
	// SourceVisibility=Private
	// TargetVisibility=Public
	// ChangeType=visibility
}

func ExampleApplication_Parse() {
	p := new(parser.Application)
	var r parser.Record
	for _, line := range []string{
		`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","correlation_id":"01HZ7H2EJ8HC6DDJRA73B7G325","meta.remote_ip":"192.168.65.1","message":"Failed Login: username=John Smith ip=192.168.65.1"}`,
		`October 07, 2014 11:25: User "Claudie Hodkiewicz" (nasir_stehr@olson.co.uk)  was removed`,
	} {
		if err := p.Parse([]byte(line), &r); err != nil {
			fmt.Println(err)
			return
		}
		for _, f := range r.Fields {
			fmt.Printf("%s=%s\n", f.Name, f.Value)
		}
		fmt.Println()
	}
	// Output:
	// Severity=INFO
	// EventTime=2024-05-31T14:32:44.108Z
	// CorrelationID=01HZ7H2EJ8HC6DDJRA73B7G325
	// Message=Failed Login: username=John Smith ip=192.168.65.1
	// EventKind=failed_login
	// Username=John Smith
	// IPAddress=192.168.65.1
	// meta.remote_ip=192.168.65.1
	//
	// EventTime=October 07, 2014 11:25
	// Message=User "Claudie Hodkiewicz" (nasir_stehr@olson.co.uk)  was removed
	// EventKind=user_removed
	// Username=Claudie Hodkiewicz
	// EmailAddress=nasir_stehr@olson.co.uk
}

func ExampleAccess_Parse() {
	line := []byte(`10.14.188.100 - Username for 'http [24/May/2024:00:11:01 +0800] "GET /internal/demo-test.git/info/refs?service=git-upload-pack HTTP/1.1" 401 279 "" "git/1.8.3.1" -`)
	var r parser.Record
	if err := new(parser.Access).Parse(line, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Time)
	for _, f := range r.Fields {
		fmt.Printf("%s=%s\n", f.Name, f.Value)
	}
	// Output:
	// 2024-05-23 16:11:01 +0000 UTC
	// IPAddress=10.14.188.100
	// RemoteUser=Username for 'http
	// EventTime=2024-05-24T00:11:01+08:00
	// RequestVerb=GET
	// URI=/internal/demo-test.git/info/refs?service=git-upload-pack
	// HTTPVersion=HTTP/1.1
	// ResponseCode=401
	// BytesSent=279
	// UserAgent=git/1.8.3.1
	// TimeLocal=24/May/2024:00:11:01 +0800
}

func ExampleAuth_Parse() {
	line := []byte(`{"severity":"ERROR","time":"2025-03-02T11:09:47.306Z","correlation_id":"01JNE83BR5A7S9D1F3G5H7J9KM","message":"Rack_Attack","env":"throttle","remote_ip":"192.0.2.10","request_method":"GET","path":"/api/v4/projects?per_page=100&page=37","matched":"throttle_authenticated_api","status":429,"user_id":42,"meta.user":"ci-bot","rack_attack_redis_count":2}`)
	var r parser.Record
	if err := new(parser.Auth).Parse(line, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Time)
	for _, f := range r.Fields {
		fmt.Printf("%s=%s\n", f.Name, f.Value)
	}
	// Output:
	// 2025-03-02 11:09:47.306 +0000 UTC
	// Severity=ERROR
	// EventTime=2025-03-02T11:09:47.306Z
	// CorrelationID=01JNE83BR5A7S9D1F3G5H7J9KM
	// Message=Rack_Attack
	// MatchType=throttle
	// MatchedRule=throttle_authenticated_api
	// IPAddress=192.0.2.10
	// RequestVerb=GET
	// URI=/api/v4/projects?per_page=100&page=37
	// ResponseCode=429
	// UserID=42
	// Username=ci-bot
	// meta.user=ci-bot
}

func ExampleDetect() {
	for _, line := range []string{
		`{"id":"1","author_id":-3,"event_type":"repository_git_operation"}`,
		`{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"User Logout: username=root ip=192.168.65.1"}`,
		`{"severity":"ERROR","message":"Rack_Attack","env":"blocklist","remote_ip":"198.51.100.23"}`,
		`2020-04-09T14:04:00.667Z: Failed Login: username=admin ip=80.10.11.12`,
		`172.16.228.1 - - [26/Jun/2014:06:33:46 -0700] "GET / HTTP/1.1" 200 5775 "" "curl/8.5.0"`,
		`something else`,
	} {
		fmt.Println(parser.Detect([]byte(line)))
	}
	// Output:
	// audit
	// application
	// auth
	// application
	// access
	// unknown
}

func ExampleError() {
	var r parser.Record
	err := new(parser.Audit).Parse([]byte(`{"severity":"INFO","time":`), &r)
	fmt.Println(err)
	// Output:
	// audit: invalid JSON: unexpected end of JSON at byte 26
}
