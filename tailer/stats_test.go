package tailer

import "testing"

// Each mode's String is the name Stats.Mode had as a string, which logs
// and dashboards use.
func TestModeString(t *testing.T) {
	cases := []struct {
		m    Mode
		want string
	}{
		{ModeStarting, "starting"},
		{ModeReading, "reading"},
		{ModePolling, "polling"},
		{ModeFollowing, "following"},
		{ModeRotating, "rotating"},
		{ModeRecovering, "recovering"},
		{ModeWaiting, "waiting"},
		{ModeStopped, "stopped"},
		{Mode(42), "Mode(42)"},
		{Mode(-1), "Mode(-1)"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(c.m), got, c.want)
		}
	}
}

func TestFollowerString(t *testing.T) {
	for f, want := range map[Follower]string{FollowNotify: "notify", FollowNxadmTail: "nxadm/tail", Follower(7): "Follower(7)"} {
		if got := f.String(); got != want {
			t.Errorf("Follower(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}
