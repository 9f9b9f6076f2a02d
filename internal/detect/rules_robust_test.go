package detect

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestStatefulRulesRobust feeds every stateful rule events built from
// random subsets of the columns they read, with odd values (empty, huge,
// negative ids, non-UTF-8, far past and future times, times out of order),
// through the engine with its watermark: no rule may panic, and each
// stateful rule's state must survive a snapshot round trip afterwards.
func TestStatefulRulesRobust(t *testing.T) {
	geo := testGeoDB(t)
	cols := []string{parser.ColUsername, parser.ColIPAddress, parser.ColAuthorID, parser.ColAuthorName,
		parser.ColEntityPath, parser.ColEntityType, parser.ColTargetID, parser.ColTargetDetails, parser.ColTargetUser,
		parser.ColCustomMessage, parser.ColImpersonatedBy, parser.ColRemoveAction, parser.ColEventID,
		parser.ColRemoteUser, parser.ColURI, parser.ColResponseCode, parser.ColAuthenticationType,
		"meta.user", "meta.user_id", "CountryISOCode"}
	values := []string{"", "x", "-1", "0", "3", "project", "Started Impersonation", "Stopped Impersonation",
		"Instance administrator started impersonation of ", "Created personal access token with id ",
		"81.2.69.142", "175.16.199.10", "10.0.0.1", "::1", "not-an-ip", "\xff\xfe", string(make([]byte, 5000)),
		"/a.git/git-upload-pack", "200", "DE", "User"}
	names := []string{"", "project_destroyed", "personal_access_token_created", "user_impersonation",
		"repository_git_operation", "user_enable_admin_mode", "authenticated_with_password"}
	kinds := []string{parser.KindFailedLogin, parser.KindSuccessfulLogin, parser.KindImpersonationStarted,
		parser.KindImpersonationStopped, parser.KindProjectRemoved}
	params := map[string]string{"known_countries": "GB"}
	base := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	for _, s := range statefulSpecs() {
		t.Run(s.Info.ID, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			rp := map[string]string{}
			for _, p := range s.Params {
				if v, ok := params[p]; ok {
					rp[p] = v
				}
			}
			e, err := New(Config{Only: []string{s.Info.ID}, Rules: map[string]RuleConfig{s.Info.ID: {Params: rp}}, Geo: geo})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20_000 {
				ev := &Event{Type: parser.Type(1 + rng.IntN(3)), Source: []string{"a", "b", "stream"}[rng.IntN(3)]}
				switch rng.IntN(20) {
				case 0: // no time
				case 1:
					ev.Time = base.Add(-time.Duration(rng.Int64N(int64(1000 * 24 * time.Hour))))
				case 2:
					ev.Time = base.Add(time.Duration(rng.Int64N(int64(1000 * 24 * time.Hour))))
				default:
					ev.Time = base.Add(time.Duration(i)*time.Second - time.Duration(rng.IntN(600))*time.Second)
				}
				for _, c := range cols {
					if rng.IntN(3) == 0 {
						ev.Columns = append(ev.Columns, Column{c, values[rng.IntN(len(values))]})
					}
				}
				if n := names[rng.IntN(len(names))]; n != "" && ev.Type == parser.TypeAudit {
					ev.Columns = append(ev.Columns, Column{parser.ColEventName, n})
				}
				if ev.Type == parser.TypeApplication {
					ev.Columns = append(ev.Columns, Column{parser.ColEventKind, kinds[rng.IntN(len(kinds))]})
				}
				e.Process(ev)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			st, ok := e.byID[s.Info.ID].rule.(Stateful)
			if !ok {
				return // keeps no state (the country rules)
			}
			snap, err := st.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			r2, err := s.New(NewParams(s.Info.ID, nil, rp), &Env{Geo: geo})
			if err != nil {
				t.Fatal(err)
			}
			if err := r2.(Stateful).Restore(snap); err != nil {
				t.Fatalf("restore of its own snapshot: %v", err)
			}
		})
	}
}
