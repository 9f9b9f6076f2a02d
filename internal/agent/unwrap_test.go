package agent

import (
	"errors"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestParseAny: the detections' catch-up parses container lines as the
// pipeline does: parts joined, the envelope unwrapped, the subcomponent
// picking the parser, other lines not parsed.
func TestParseAny(t *testing.T) {
	m := metrics.New()
	w := newWorker(parser.TypeUnknown, new(forwarder.Encoder), nil, m.Source("cri", "/x"), forwarder.DefaultRecordOptions("h"))
	w.uw = newUnwrapper(container.CRI, parser.TypeUnknown, "", false, "/var/log/containers/p_ns_c-1.log", 0, "")
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"root","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"root"}`
	env := `{"date":"d","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` + audit + `}`
	tests := []struct {
		line, text string
		typ        parser.Type
		err        error
	}{
		{"2024-05-01T12:00:00Z stdout F " + env, audit, parser.TypeAudit, nil},
		{"2024-05-01T12:00:00Z stdout P " + env[:40], "", 0, errNotSent},
		{"2024-05-01T12:00:00Z stdout F " + env[40:], audit, parser.TypeAudit, nil},
		{`2024-05-01T12:00:00Z stdout F {"subcomponent":"production_json","message":{"a":1}}`, "", 0, errNotSent},
		{"2024-05-01T12:00:00Z stderr F plain text", "", 0, errNotSent},
		{"no record", "", 0, errNotSent},
	}
	for i, tc := range tests {
		text, err := w.parseAny([]byte(tc.line))
		if !errors.Is(err, tc.err) || string(text) != tc.text || (err == nil && w.rec.Type != tc.typ) {
			t.Errorf("%d: %q, %v (type %s); want %q, %v (%s)", i, text, err, w.rec.Type, tc.text, tc.err, tc.typ)
		}
	}
	if len(w.uw.k8s) != 1 || w.uw.k8s[0].ID != KubernetesSDID || len(w.uw.k8s[0].Params) != 3 {
		t.Errorf("kubernetes element %+v", w.uw.k8s)
	}
}

func TestKubernetesSDIDFor(t *testing.T) {
	for in, want := range map[string]string{"": KubernetesSDID, "gitlab@32473": KubernetesSDID, "gitlab@12345": "kubernetes@12345", "origin": KubernetesSDID} {
		if got := KubernetesSDIDFor(in); got != want {
			t.Errorf("KubernetesSDIDFor(%q) = %q, want %q", in, got, want)
		}
	}
}
