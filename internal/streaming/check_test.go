package streaming

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheck: Check reports what New refuses and warns about, each token
// source under its key and with what to do, every source at once, without
// listening (trial 33, F3: check called valid what run refused).
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	file := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good", "# the group's\n"+tokenA+"\n", 0o600)
	comments := file("comments", "# none yet\n\n", 0o600)
	open := file("open", tokenA+"\n", 0o644)
	shortLine := file("short", "# one\n\nshort\n", 0o600)
	t.Setenv("GLS_UNSET", "")
	t.Setenv("GLS_TOKENS", tokenA+",abc")
	tests := []struct {
		name  string
		cfg   Config
		errs  []issue // each *TokenError: its key and a part of its text
		warns []issue
	}{
		{"good", Config{Listen: "127.0.0.1:8443", Tokens: []string{tokenA}, TokenFile: good, TokenEnv: "GLS_TOKENS"}, nil,
			[]issue{{"token_env", "token 2 of environment variable GLS_TOKENS is shorter than the 16 characters"}}},
		{"missing file", Config{Listen: "127.0.0.1:8443", TokenFile: filepath.Join(dir, "nope")}, []issue{
			{"token_file", "no such file or directory; give the file that holds the streaming destinations' verification tokens"}}, nil},
		{"directory", Config{Listen: "127.0.0.1:8443", TokenFile: dir}, []issue{{"token_file", dir + " is a directory; give the file"}}, nil},
		{"only comments", Config{Listen: "127.0.0.1:8443", TokenFile: comments}, []issue{{"token_file", "holds no token (one per line"}}, nil},
		{"unset env", Config{Listen: "127.0.0.1:8443", TokenEnv: "GLS_UNSET"}, []issue{{"token_env", "GLS_UNSET is unset or empty; set it in the agent's environment"}}, nil},
		{"all at once", Config{Listen: "127.0.0.1:8443", Tokens: []string{""}, TokenFile: dir, TokenEnv: "GLS_UNSET"}, []issue{
			{"tokens[0]", "is empty"}, {"token_file", "is a directory"}, {"token_env", "is unset"}}, nil},
		{"none", Config{Listen: "127.0.0.1:8443"}, []issue{{"", "no verification token configured"}}, nil},
		{"open file", Config{Listen: "127.0.0.1:8443", TokenFile: open}, nil, []issue{{"token_file", "readable by group or others (mode -rw-r--r--); chmod 600 it"}}},
		{"short", Config{Listen: "127.0.0.1:8443", Tokens: []string{"short"}, TokenFile: shortLine}, nil, []issue{
			{"tokens[0]", "the token is shorter than the 16 characters GitLab generates; copy the whole"},
			{"token_file", "the token at line 3 of " + shortLine + " is shorter"}}},
		{"plain on every interface", Config{Listen: "0.0.0.0:8443", Tokens: []string{tokenA}}, nil, []issue{{"listen", PlainWarning}}},
		{"plain on a wildcard port", Config{Listen: ":8443", Tokens: []string{tokenA}}, nil, []issue{{"listen", PlainWarning}}},
		{"plain on localhost", Config{Listen: "localhost:8443", Tokens: []string{tokenA}}, nil, nil},
		{"TLS on every interface", Config{Listen: "0.0.0.0:8443", Tokens: []string{tokenA}, TLS: TLSFiles{CertFile: "c.pem", KeyFile: "k.pem"}}, nil, nil},
		// max_body that refuses ordinary events, or above what GitLab sends
		// (fresh-user trial 283: both passed check silently).
		{"max_body too small", Config{Listen: "127.0.0.1:8443", Tokens: []string{tokenA}, MaxBody: 100}, nil,
			[]issue{{"max_body", "max_body is 100 bytes: GitLab's audit events take up to a few KiB, and an event larger than max_body is refused 413, which GitLab does not retry"}}},
		{"max_body above GitLab's", Config{Listen: "127.0.0.1:8443", Tokens: []string{tokenA}, MaxBody: 10 << 30}, nil,
			[]issue{{"max_body", "above the 26214400 bytes GitLab sends at most"}}},
		{"max_body as GitLab's", Config{Listen: "127.0.0.1:8443", Tokens: []string{tokenA}, MaxBody: GitLabMaxBody}, nil, nil},
		{"max_body at the smallest useful", Config{Listen: "127.0.0.1:8443", Tokens: []string{tokenA}, MaxBody: MinUsefulBody}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warns, err := Check(tt.cfg)
			var got []issue
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var te *TokenError
					if !errors.As(e, &te) {
						t.Fatalf("error %v is not a *TokenError", e)
					}
					got = append(got, issue{te.Key, te.Err.Error()})
				}
			}
			match(t, "error", got, tt.errs)
			got = nil
			for _, w := range warns {
				got = append(got, issue{w.Key, w.Msg})
			}
			match(t, "warning", got, tt.warns)
		})
	}
}

// issue is an error or warning of Check: its key and (a part of) its text.
type issue struct{ key, text string }

// match fails t unless got and want have the same keys, in order, and
// each text of got contains want's.
func match(t *testing.T, what string, got, want []issue) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%ss %q, want %q", what, got, want)
	}
	for i, w := range want {
		if g := got[i]; g.key != w.key || !strings.Contains(g.text, w.text) {
			t.Errorf("%s %d = %q: %q, want %q: containing %q", what, i, g.key, g.text, w.key, w.text)
		}
	}
}
