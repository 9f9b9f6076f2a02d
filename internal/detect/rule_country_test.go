package detect

import (
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestGitHTTPRepo: a Git over HTTP request is recognised whatever other
// query parameters come with the service, in any order and encoded, and
// with a query on the pack paths; near misses are not (another service,
// one that merely starts with git-upload-pack, a path that only contains
// ".git/", ".git/" in the query, no repository). It allocates nothing.
func TestGitHTTPRepo(t *testing.T) {
	for _, tc := range []struct {
		uri, repo string
		ok        bool
	}{
		{"/acme/api.git/info/refs?service=git-upload-pack", "acme/api", true},
		{"/acme/api.git/info/refs?service=git-receive-pack", "acme/api", true},
		{"/acme/api.git/git-upload-pack", "acme/api", true},
		{"/acme/api.git/git-receive-pack", "acme/api", true},
		{"/acme/api.git/info/refs?service=git-upload-pack&x=1", "acme/api", true},
		{"/acme/api.git/info/refs?x=1&service=git-receive-pack", "acme/api", true},
		{"/acme/api.git/info/refs?a=b&service=git-upload-pack&c=.git/", "acme/api", true},
		{"/acme/api.git/info/refs?service=git%2Dupload%2dpack", "acme/api", true},
		{"/acme/api.git/info/refs?%73ervice=git-upload-pack", "acme/api", true},
		{"/acme/api.git/info/refs?service=%zz&service=git-upload-pack", "acme/api", true}, // a malformed pair is skipped
		{"/acme/api.git/git-upload-pack?x", "acme/api", true},
		{"/acme/api.git/git-receive-pack?x=1&y=2", "acme/api", true},
		{"/group/sub/api.git/git-upload-pack", "group/sub/api", true},
		{"//acme//api.git/info/refs?service=git-upload-pack", "acme/api", true}, // nginx merges slashes
		{"/group///sub/api.git/git-upload-pack", "group/sub/api", true},
		{"//.git/info/refs?service=git-upload-pack", "", false},
		{"/acme//.git/git-upload-pack", "", false},

		{"/acme/api.git/info/refs?service=git-upload-pack-evil", "", false},
		{"/acme/api.git/info/refs?service=git-upload-pac", "", false},
		{"/acme/api.git/info/refs?service=git-upload-pack%00", "", false},
		{"/acme/api.git/info/refs?service=", "", false},
		{"/acme/api.git/info/refs?xservice=git-upload-pack", "", false},
		{"/acme/api.git/info/refs?service=evil&service=git-upload-pack", "", false}, // the first service counts
		{"/acme/api.git/info/refs", "", false},
		{"/acme/api.git/info/refs?", "", false},
		{"/acme/api.git/info/refs/x?service=git-upload-pack", "", false},
		{"/acme/api.git/git-upload-pack-evil", "", false},
		{"/acme/api.git/objects/info/packs", "", false},
		{"/acme/api.git/x/git-upload-pack", "", false},
		{"/search?q=x.git/info/refs?service=git-upload-pack", "", false},
		{"/search?q=.git/git-upload-pack", "", false},
		{"/.git/info/refs?service=git-upload-pack", "", false},
		{"/acme/api/.git/git-upload-pack", "", false},
		{"/acme/api/-/tree/main", "", false},
	} {
		ev := &Event{Type: parser.TypeAccess, Columns: []Column{{parser.ColRemoteUser, "bot"},
			{parser.ColResponseCode, "200"}, {parser.ColURI, tc.uri}}}
		repo, ok := gitHTTPRepo(ev)
		if repo != tc.repo || ok != tc.ok {
			t.Errorf("gitHTTPRepo(%q) = %q, %v; want %q, %v", tc.uri, repo, ok, tc.repo, tc.ok)
		}
		if n := testing.AllocsPerRun(10, func() { gitHTTPRepo(ev) }); n != 0 && !strings.Contains(tc.uri, "//") {
			t.Errorf("gitHTTPRepo(%q): %v allocations, want 0", tc.uri, n)
		}
	}
}
