package detect_test

import (
	"fmt"
	"os"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Example runs one rule over a streamed Audit Event Streaming body: the
// parse worker asks Want, copies the wanted line into an Event, and the
// engine emits the alert.
func Example() {
	eng, err := detect.New(detect.Config{
		Only: []string{"falco.pat_created"},
		Emit: func(a *detect.Alert) {
			fmt.Println(a.Info.ID, a.Info.Severity, a.Time.Format("2006-01-02 15:04:05"), a.Event.Get(parser.ColAuthorName))
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	lines := []string{
		`{"id":7,"author_id":42,"entity_id":42,"entity_type":"User","details":{"custom_message":"Created personal access token with id 12"},"author_name":"Alice","entity_path":"alice","created_at":"2025-03-04T12:00:00Z","target_type":"User","target_id":42,"event_type":"personal_access_token_created"}`,
		`{"id":8,"author_id":42,"entity_id":42,"entity_type":"User","details":{"custom_message":"Attempted to create personal access token but failed with message: Name can't be blank"},"author_name":"Alice","entity_path":"alice","created_at":"2025-03-04T12:01:00Z","target_type":"User","target_id":42,"event_type":"personal_access_token_created"}`,
		`{"id":9,"author_id":42,"entity_id":42,"entity_type":"User","author_name":"Alice","created_at":"2025-03-04T12:02:00Z","event_type":"project_name_updated"}`,
	}
	p := parser.New(parser.TypeAudit)
	var rec parser.Record
	for _, l := range lines {
		if p.Parse([]byte(l), &rec) != nil || !eng.Want(parser.TypeAudit, &rec) {
			continue // a line no rule wants costs one lookup and is never copied
		}
		eng.Process(detect.NewEvent(&rec, []byte(l), "stream", detect.OriginStream))
	}
	eng.Close()
	// Output:
	// falco.pat_created Medium 2025-03-04 12:00:00 Alice
}
