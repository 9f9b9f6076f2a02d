package parser_test

import (
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// A meta.* key keeps its name as a column; what follows "meta." is the
// PARAM-NAME on the wire. Only a name that is not a valid SD-NAME gets its
// short form, in the column name as on the wire.
func ExampleSDName() {
	line := []byte(`{"severity":"INFO","time":"2024-06-03T09:12:44.512Z","meta.caller_id":"POST /api/:version/jobs/request","meta.artifacts_dependencies_count":3,"meta.user name":"x","message":"m"}`)
	var r parser.Record
	if err := new(parser.Application).Parse(line, &r); err != nil {
		panic(err)
	}
	for _, f := range r.Fields {
		if strings.HasPrefix(f.Name, parser.MetaPrefix) {
			fmt.Printf("%s=%s\n", f.Name, f.Value)
		}
	}
	fmt.Println(parser.SDName("artifacts_dependencies_count"))
	fmt.Println(parser.SDName("artifacts_dependencies_count_per_project"))
	// Output:
	// meta.caller_id=POST /api/:version/jobs/request
	// meta.artifacts_dependencies_count=3
	// meta.user_name~a59136f5=x
	// artifacts_dependencies_count
	// artifacts_dependencies_~b3598ed6
}
