package detect

import "strings"

// foldLogin returns the login name of a failed sign-in as GitLab matches
// it to an account: lower-cased, since GitLab finds the user of a login
// by its username or e-mail address case-insensitively (User.find_by_login,
// the by_login scope's iwhere, app/models/user.rb), so that
// "alice", "Alice" and "ALICE" are one account to the sign-in rules. A
// name without an upper-case letter is returned as it is, without
// allocation.
func foldLogin(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}
