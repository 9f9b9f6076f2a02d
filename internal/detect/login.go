package detect

import "strings"

// foldLogin returns the login name of a failed sign-in as GitLab matches
// it to an account: lower-cased, since GitLab finds the user of a login
// by lower(username) or lower(email) (User.find_by_login), so that
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
