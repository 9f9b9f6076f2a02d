package container_test

import (
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
)

// A CRI record holding a line printed by the chart's gitlab-logger: the
// original audit line comes out byte for byte.
func ExampleDecoder() {
	d := container.Decoder{Format: container.CRI}
	line := `2024-05-01T12:00:00.123456789Z stdout F {"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","author_name":"root"}}`
	out, status, err := d.Decode([]byte(line))
	fmt.Println(status == container.Complete, err)
	fmt.Printf("%s\n%s\n", out.Subcomponent, out.Text)
	// Output:
	// true <nil>
	// audit_json
	// {"severity":"INFO","author_name":"root"}
}
