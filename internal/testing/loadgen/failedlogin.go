package loadgen

import (
	"fmt"
	"strings"
	"time"
)

// FailedLogin returns an application_json.log line, without its newline,
// of a failed password sign-in of user from ip at t (UTC, milliseconds),
// as Gitlab::JsonLogger writes it for SessionsController#create:
// message "Failed Login: username=USER ip=IP". Tests of the windowed
// rules (sentinel.bruteforce, gitlab.password_spray) build their files
// from it.
func FailedLogin(t time.Time, user, ip string) string {
	return fmt.Sprintf(`{"severity":"INFO","time":%q,"meta.caller_id":"SessionsController#create","meta.remote_ip":%q,"message":"Failed Login: username=%s ip=%s"}`,
		t.UTC().Format("2006-01-02T15:04:05.000Z"), ip, user, ip)
}

// FailedLoginFlood returns n rounds, 10 s apart from t0, of three
// FailedLogin lines, each with its newline: bob from 203.0.113.9, then
// two users seen once (uIa from 198.51.100.I, uIb from 192.0.2.I). bob's
// failures make a brute force, which a rule capped at fewer keys than
// users in its window loses to eviction.
func FailedLoginFlood(t0 time.Time, n int) string {
	var b strings.Builder
	for i := range n {
		ts := t0.Add(time.Duration(i) * 10 * time.Second)
		b.WriteString(FailedLogin(ts, "bob", "203.0.113.9") + "\n")
		b.WriteString(FailedLogin(ts, fmt.Sprintf("u%da", i), fmt.Sprintf("198.51.100.%d", i)) + "\n")
		b.WriteString(FailedLogin(ts, fmt.Sprintf("u%db", i), fmt.Sprintf("192.0.2.%d", i)) + "\n")
	}
	return b.String()
}
