package parser_test

import (
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Record.Col finds a column of a parsed audit line by its ColID without
// searching the record's fields; on any record it answers what Get does.
func ExampleRecord_Col() {
	var p parser.Audit
	var r parser.Record
	line := `{"severity":"INFO","author_id":7,"author_name":"alice","custom_message":"Signed in","meta.user":"alice"}`
	if err := p.Parse([]byte(line), &r); err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []parser.ColID{parser.IDAuthorID, parser.IDCustomMessage, parser.IDMetaUser, parser.IDEventName} {
		v, ok := r.Col(id)
		fmt.Printf("%s=%q %v\n", id.Name(), v, ok)
	}
	// Output:
	// AuthorID="7" true
	// CustomMessage="Signed in" true
	// meta.user="alice" true
	// EventName="" false
}
