package loadgen

import (
	"fmt"
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
