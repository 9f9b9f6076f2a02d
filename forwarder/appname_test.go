package forwarder

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestAppName pins the APP-NAME of every log type: collectors and the
// Sentinel functions select on them, so they never change.
func TestAppName(t *testing.T) {
	want := map[parser.Type]string{
		parser.TypeUnknown:     "GitLab-Logs",
		parser.TypeAudit:       "GitLab-Audit-Logs",
		parser.TypeApplication: "GitLab-Application-Logs",
		parser.TypeAccess:      "GitLab-Access-Logs",
		parser.TypeAuth:        "GitLab-Auth-Logs",
	}
	for typ := range parser.NumTypes {
		w, ok := want[typ]
		if !ok {
			t.Errorf("type %s has no APP-NAME in this test", typ)
			continue
		}
		if got := AppName(typ); got != w {
			t.Errorf("AppName(%s) = %q, want %q", typ, got, w)
		}
	}
}

// TestFromRecordAuth checks the mapping of a Rack::Attack record: APP-NAME
// GitLab-Auth-Logs, MSGID auth, severity from the Ruby Logger label, the
// event time, the columns as params and the line as MSG.
func TestFromRecordAuth(t *testing.T) {
	line := []byte(`{"severity":"ERROR","time":"2025-03-02T11:04:10.514Z","message":"Rack_Attack","env":"throttle","remote_ip":"203.0.113.45","request_method":"POST","path":"/users/sign_in","matched":"throttle_unauthenticated_protected_paths","status":429}`)
	var r parser.Record
	if err := new(parser.Auth).Parse(line, &r); err != nil {
		t.Fatal(err)
	}
	o := DefaultRecordOptions("gl.example.com")
	var m Message
	m.FromRecord(&r, line, &o)
	if m.AppName != AppNameAuth || m.MsgID != "auth" || m.Severity != Error || m.Facility != Local7 ||
		!m.Time.Equal(r.Time) || m.Time.IsZero() || len(m.Params) != len(r.Fields) || string(m.Msg) != string(line) {
		t.Errorf("auth mapping wrong: %+v", m)
	}
}
