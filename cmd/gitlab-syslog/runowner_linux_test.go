package main

import (
	"os"
	"strings"
	"testing"
)

// TestRunStateDirOfAnotherUser: run started as another user than the
// state_dir's owner (root, by hand, in the package's service user's
// /var/lib/gitlab-syslog) warns that the files it writes there are this
// user's, which the service may not read, naming the owner and what to do;
// in its own state_dir it does not (trial 230: it said nothing, and the
// service's check refused to start afterwards).
func TestRunStateDirOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give the state directory to another user")
	}
	for _, tc := range []struct {
		name  string
		other bool
	}{{"another user's", true}, {"its own", false}} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			if tc.other {
				if err := os.Chown(state, 65534, 65534); err != nil {
					t.Fatal(err)
				}
			}
			r := runCmd(t, "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state)
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			warned := strings.Contains(r.stderr, "state directory of another user")
			if warned != tc.other {
				t.Errorf("warned %v, want %v:\n%s", warned, tc.other, r.stderr)
			}
			if tc.other && (!strings.Contains(r.stderr, "not to the user run runs as") || !strings.Contains(r.stderr, "chown -R ")) {
				t.Errorf("the warning does not say whose files they become and what to do:\n%s", r.stderr)
			}
		})
	}
}
