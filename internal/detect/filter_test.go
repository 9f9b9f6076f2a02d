package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestImpersonationWantWatch checks sentinel.impersonation's WantLine: a
// legacy line of a user (no EventName, no ImpersonatedBy) is wanted only
// once the start of the user's impersonation went through Want, until the
// session is forgotten; WantStateless always wants it.
func TestImpersonationWantWatch(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
		action = `{"severity":"INFO","time":"2021-12-06T14:41:05.519Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","entity_path":"jdoe/secret-project"}`
		other  = `{"severity":"INFO","time":"2021-12-06T14:41:06.519Z","author_id":4,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"Jane Roe","entity_path":"jdoe/secret-project"}`
	)
	e, err := New(Config{Only: []string{"sentinel.impersonation"}})
	if err != nil {
		t.Fatal(err)
	}
	p := parser.New(parser.TypeAudit)
	parse := func(line string) *parser.Record {
		var rec parser.Record
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		return &rec
	}
	want := func(line string) bool { return e.Want(parser.TypeAudit, parse(line)) }
	if want(action) {
		t.Error("a legacy line was wanted before any start")
	}
	if !e.WantStateless(parser.TypeAudit, parse(action)) {
		t.Error("WantStateless does not want a legacy line")
	}
	epoch := e.WantEpoch()
	if !want(start) {
		t.Fatal("the start was not wanted")
	}
	if e.WantEpoch() == epoch {
		t.Error("WantEpoch did not change when the start made user 3 watched")
	}
	if !want(action) || want(other) {
		t.Errorf("after the start: action of user 3 wanted %v (want true), line of user 4 wanted %v (want false)",
			want(action), want(other))
	}
	rec := parse(start)
	e.Process(NewEvent(rec, []byte(start), "audit_json.log", OriginFile))
	e.Advance(rec.Time.Add(47 * time.Hour))
	if !want(action) {
		t.Error("user 3 forgotten before start + 2 × max_session")
	}
	e.Advance(rec.Time.Add(49 * time.Hour))
	if want(action) {
		t.Error("user 3 still watched after start + 2 × max_session")
	}
	if n := testing.AllocsPerRun(100, func() { e.Want(parser.TypeAudit, rec) }); n != 0 {
		t.Errorf("Want allocates %v times with a watched user", n)
	}
}

// TestWantFirst checks Config.WantFirst: Process asks the WantFilters too,
// so sentinel.impersonation does not get (and hold) a password sign-in of
// an unwatched user that sentinel.local_auth_no_mfa wanted; without it the
// rule gets every line its keys match.
func TestWantFirst(t *testing.T) {
	const signin = `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","author_id":5,"author_name":"Jane","entity_id":5,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":5,"target_type":"User","target_details":"Jane"}`
	for _, c := range []struct {
		wantFirst bool
		evaluated uint64
	}{{true, 0}, {false, 1}} {
		e, err := New(Config{Only: []string{"sentinel.impersonation", "sentinel.local_auth_no_mfa"}, WantFirst: c.wantFirst})
		if err != nil {
			t.Fatal(err)
		}
		var rec parser.Record
		if err := parser.New(parser.TypeAudit).Parse([]byte(signin), &rec); err != nil {
			t.Fatal(err)
		}
		if !e.Want(parser.TypeAudit, &rec) {
			t.Fatal("the password sign-in is not wanted")
		}
		e.Process(NewEvent(&rec, []byte(signin), "audit_json.log", OriginFile))
		st := e.Stats().Rules
		if st["sentinel.impersonation"].Evaluated != c.evaluated || st["sentinel.local_auth_no_mfa"].Evaluated != 1 {
			t.Errorf("WantFirst %v: evaluated impersonation %d (want %d), local auth %d (want 1)", c.wantFirst,
				st["sentinel.impersonation"].Evaluated, c.evaluated, st["sentinel.local_auth_no_mfa"].Evaluated)
		}
	}
}

// TestWantHints checks Engine.WantHints: after a start goes through Want,
// the hints since the epoch before it name the impersonated user as the
// lines carry it (the target's id, or the name when the start has none);
// none are given for a user whose name a JSON encoder may escape, or once
// more users were added since than the watch remembers.
func TestWantHints(t *testing.T) {
	const startTmpl = `{"severity":"INFO","time":"2021-12-06T14:40:27.519Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation",%s"target_type":"User","target_details":%q,"author_name":"Administrator","entity_path":"root"}`
	start := func(id, name string) string {
		if id != "" {
			id = `"target_id":` + id + `,`
		}
		return fmt.Sprintf(startTmpl, id, name)
	}
	cases := []struct {
		name   string
		starts []string
		hints  []string
		exact  bool
	}{
		{"none", nil, nil, true},
		{"by id", []string{start("3", "jdoe")}, []string{"3"}, true},
		{"two, by id and by name", []string{start("3", "jdoe"), start("", "mary.major-2")}, []string{"3", "mary.major-2"}, true},
		{"same user twice", []string{start("3", "jdoe"), start("3", "jdoe")}, []string{"3"}, true},
		{"name with a quote", []string{start("", `o"brien`)}, nil, false},
		{"name with a slash", []string{start("", "a/b")}, nil, false},
		{"more than remembered", manyStarts(start, 300), nil, false},
	}
	p := parser.New(parser.TypeAudit)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.impersonation"}})
			if err != nil {
				t.Fatal(err)
			}
			since := e.WantEpoch()
			for _, s := range c.starts {
				var rec parser.Record
				if err := p.Parse([]byte(s), &rec); err != nil {
					t.Fatal(err)
				}
				if !e.Want(parser.TypeAudit, &rec) {
					t.Fatalf("start not wanted: %s", s)
				}
			}
			hints, exact := e.WantHints(since, nil)
			if exact != c.exact || !slices.Equal(hints, c.hints) && c.exact {
				t.Errorf("WantHints = %q, %v; want %q, %v", hints, exact, c.hints, c.exact)
			}
			if h, exact := e.WantHints(e.WantEpoch(), nil); len(h) != 0 || !exact {
				t.Errorf("WantHints since now = %q, %v; want none, true", h, exact)
			}
		})
	}
	// An engine without a rule that watches has nothing to recheck.
	e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}})
	if err != nil {
		t.Fatal(err)
	}
	if h, exact := e.WantHints(0, nil); len(h) != 0 || !exact {
		t.Errorf("without sentinel.impersonation: WantHints = %q, %v; want none, true", h, exact)
	}
}

// manyStarts returns n starts of distinct users by id.
func manyStarts(start func(id, name string) string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = start(fmt.Sprint(100+i), fmt.Sprintf("user%d", i))
	}
	return out
}
