package parser_test

import (
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// A reader skips the lines Blank reports, as the agent does, and parses
// the others; a byte order mark before a line is not GitLab's and is
// skipped by Parse.
func ExampleBlank() {
	for _, line := range []string{"", " \t", "\ufeff\ufeff", "\ufeff{\"severity\":\"INFO\",\"time\":\"2018-10-17T17:38:22.523Z\",\"author_id\":3,\"entity_id\":2,\"entity_type\":\"Project\"}"} {
		if parser.Blank([]byte(line)) {
			fmt.Println("blank: skipped")
			continue
		}
		var r parser.Record
		err := parser.New(parser.TypeAudit).Parse([]byte(line), &r)
		fmt.Println("parsed:", err == nil, len(r.Fields), "columns")
	}
	// Output:
	// blank: skipped
	// blank: skipped
	// blank: skipped
	// parsed: true 5 columns
}
