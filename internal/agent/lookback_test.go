package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestImpersonationActionReadBeforeStart checks that the agent, with the
// look-back on (max_lookback above 0), attributes an action read before the
// start of its session in another file, as detect does: the audit log's
// legacy action of ext-contractor (meta.user, no impersonated_by) is
// written and read first, and declined by Want (no session known); only
// then is the application log's start of the impersonation (keyed by user
// name) written. Later lines of both files move the watermark past both.
// The action must alert once, with the session's admin and start, and so
// must a legacy PAT creation of the same user, which another rule wants; a
// legacy line of another user in the same window must not.
func TestImpersonationActionReadBeforeStart(t *testing.T) {
	const (
		action = `{"severity":"INFO","time":"2024-05-31T14:00:30.173Z","correlation_id":"01H7SVS4YKWVVJMTSZ7SJ1HSYY","meta.caller_id":"Projects::ProjectMembersController#create","meta.user":"ext-contractor","meta.user_id":4711,"author_id":4711,"author_name":"Ext Contractor","entity_id":168,"entity_type":"Project","add":"user_access","as":"Reporter","target_id":11046,"target_type":"User","target_details":"User 11046","entity_path":"group/secret"}`
		other  = `{"severity":"INFO","time":"2024-05-31T14:00:40.173Z","correlation_id":"01H7SVS4YKWVVJMTSZ7SJ1HSYZ","meta.caller_id":"Projects::ProjectMembersController#create","meta.user":"li.wei","meta.user_id":41,"author_id":41,"author_name":"Li Wei","entity_id":168,"entity_type":"Project","add":"user_access","as":"Reporter","target_id":11047,"target_type":"User","target_details":"User 11047","entity_path":"group/secret"}`
		// A legacy PAT creation of ext-contractor: falco.pat_created wants
		// it, sentinel.impersonation's filter drops it while no session of
		// the user is known.
		pat   = `{"severity":"INFO","time":"2024-05-31T14:00:45.000Z","correlation_id":"C-pat","meta.user":"ext-contractor","meta.user_id":4711,"author_id":4711,"author_name":"Ext Contractor","entity_id":4711,"entity_type":"User","custom_message":"Created personal access token with id 77","target_id":4711,"target_type":"User","target_details":"Ext Contractor","entity_path":"ext-contractor"}`
		start = `{"severity":"INFO","time":"2024-05-31T14:00:00.069Z","correlation_id":"01HZ80ZQ1W2E3R4T5Y6U7I8O9P","meta.caller_id":"Admin::ImpersonationsController#create","meta.user":"root","meta.user_id":1,"message":"User root has started impersonating ext-contractor"}`
		// Lines ten minutes later move the watermark past the session (the
		// audit line is one other rules want: a source's time moves with
		// the lines the engine is given).
		laterAudit = `{"severity":"INFO","time":"2024-05-31T14:10:40.450Z","id":21,"author_id":42,"entity_id":42,"entity_type":"User","details":{"event_name":"personal_access_token_created","custom_message":"Created personal access token with id 601","author_name":"Alice Example","target_id":42,"target_type":"User","target_details":"Alice Example","ip_address":"198.51.100.20","entity_path":"alice"},"ip_address":"198.51.100.20","author_name":"Alice Example","entity_path":"alice","target_details":"Alice Example","created_at":"2024-05-31T14:10:40.441Z","target_type":"User","target_id":42,"event_name":"personal_access_token_created","custom_message":"Created personal access token with id 601"}`
		laterApp   = `{"severity":"INFO","time":"2024-05-31T14:10:41.000Z","correlation_id":"01HZ80ZQ1W2E3R4T5Y6U7I8O9Q","meta.user":"root","meta.user_id":1,"message":"User root has stopped impersonating ext-contractor"}`
	)
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, app := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "application_json.log")
	appendLine(t, audit, action)
	appendLine(t, audit, other)
	appendLine(t, audit, pat)
	if err := os.WriteFile(app, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "application", Path: app})
	c.Detections.Rules = map[string]config.RuleConfig{"sentinel.impersonation": {Params: map[string]string{"max_lookback": "200000"}}}
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the three audit lines at the collector", 10*time.Second, func() bool { return got.count(config.AppNameAudit) == 3 })

	appendLine(t, app, start)
	waitFor(t, "the start at the collector", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })
	appendLine(t, audit, laterAudit)
	appendLine(t, app, laterApp)
	impersonation := func() []wireAlert {
		got.mu.Lock()
		defer got.mu.Unlock()
		var out []wireAlert
		for _, a := range got.alerts {
			if a.msgID == "sentinel.impersonation" {
				out = append(out, a)
			}
		}
		return out
	}
	waitFor(t, "the impersonation alerts", 10*time.Second, func() bool { return len(impersonation()) >= 2 })
	time.Sleep(200 * time.Millisecond) // a third alert would come with them
	al := impersonation()
	if len(al) != 2 {
		t.Fatalf("%d impersonation alerts, want 2 (the two actions of ext-contractor): %v", len(al), al)
	}
	for i, want := range []string{action, pat} {
		a := al[i].json
		if a["meta.user"] != "ext-contractor" || a["ImpersonatedUser"] != "ext-contractor" || a["SessionAdmin"] != "root" ||
			a["SessionStart"] != "2024-05-31T14:00:00.069Z" || a["raw"] != want {
			t.Errorf("alert %d = %v, want the action %s of ext-contractor in root's session started 14:00:00.069", i, a, want)
		}
	}
}
