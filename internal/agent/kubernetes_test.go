package agent

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

const k8sSamples = "../../testdata/kubernetes"

// k8sWant is one message expected from a container log: APP-NAME and MSG.
type k8sWant struct{ app, msg string }

// webserviceWant is what the webservice samples must give, in order, built
// from the original GitLab lines (testdata/kubernetes/originals), not from
// the sample files: the audit, application and auth lines byte-identical
// under their Sentinel APP-NAMEs, production_json and the stderr line not
// wrapped by gitlab-logger dropped, and the record that is no CRI/Docker
// record and the cut envelope sent raw under GitLab-Logs.
func webserviceWant(t *testing.T) []k8sWant {
	o := func(name string) []string { return readLines(t, filepath.Join(k8sSamples, "originals", name)) }
	audit, app, auth, text := o("audit_json.log"), o("application_json.log"), o("auth_json.log"), o("application.log")
	return []k8sWant{
		{config.AppNameAudit, audit[0]},
		{config.AppNameApplication, app[0]},
		{config.AppNameAudit, audit[1]}, // three CRI P/F records (or Docker parts) joined
		{config.AppNameAuth, auth[0]},
		{config.AppNameApplication, text[0]}, // a text line the logger quoted
		{config.AppNameApplication, text[2]}, // with a tab, non-ASCII and <>, in two parts
		{"GitLab-Logs", "this line is no runtime record"},
		{config.AppNameApplication, app[3]},
		{"GitLab-Logs", `{"date":"2024-05-01T12:00:09Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":`},
		{config.AppNameAudit, audit[2]},
		{config.AppNameAuth, auth[1]},
	}
}

// installPod lays a sample container log out as the kubelet does: the file
// under pods/<ns>_<pod>_<uid>/<container>/0.log and a symlink to it named
// as in /var/log/containers.
func installPod(t *testing.T, root, sample string) string {
	t.Helper()
	base := filepath.Base(sample)
	m := strings.SplitN(strings.TrimSuffix(base, ".log"), "_", 3)
	ctr := m[2][:strings.LastIndexByte(m[2], '-')]
	dir := filepath.Join(root, "pods", m[1]+"_"+m[0]+"_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", ctr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "0.log"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "containers"), 0o755)
	link := filepath.Join(root, "containers", base)
	if err := os.Symlink(filepath.Join(dir, "0.log"), link); err != nil {
		t.Fatal(err)
	}
	return link
}

// TestKubernetesEndToEnd feeds the CRI and Docker json-file samples (P
// partials, gitlab-logger-wrapped audit, application and auth lines, the
// ingress-nginx access log) through the agent, following glob sources
// over the kubelet's symlinks, to a TCP collector, and checks each message:
// APP-NAME, MSG byte-identical to the original GitLab line, and the
// Kubernetes element in STRUCTURED-DATA; and the drop and unwrap counters.
func TestKubernetesEndToEnd(t *testing.T) {
	for _, format := range []string{"cri", "docker", "auto"} {
		t.Run(format, func(t *testing.T) {
			dir := format
			if format == "auto" {
				dir = "docker"
			}
			root := t.TempDir()
			var ws, in string
			for _, s := range []string{"gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.log",
				"gitlab-nginx-ingress-controller-7b9c8d6f5-h4k2m_gitlab_controller-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b.log"} {
				link := installPod(t, root, filepath.Join(k8sSamples, dir, s))
				if strings.Contains(s, "webservice") {
					ws = link
				} else {
					in = link
				}
			}
			var mu sync.Mutex
			var got []syslogtest.Message
			col, err := syslogtest.Listen("127.0.0.1:0", func(b []byte) {
				m, err := syslogtest.Parse(append([]byte(nil), b...))
				if err != nil {
					t.Errorf("%v: %q", err, b)
					return
				}
				mu.Lock()
				got = append(got, m)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			c := newConfig(t, "tcp://"+col.Addr(),
				config.Source{Path: filepath.Join(root, "containers", "*gitlab-webservice*.log"), Format: format},
				config.Source{Path: filepath.Join(root, "containers", "*nginx-ingress-controller*.log"), Format: format, Type: "access"})
			a := runToEOF(t, c, nil)
			waitFor(t, "messages at the collector", 10*time.Second, func() bool { return col.Messages() >= 14 })

			mu.Lock()
			defer mu.Unlock()
			byPod := map[string][]syslogtest.Message{}
			for _, m := range got {
				if string(m.AppName) == "GitLab-Detections" {
					continue // the sample audit lines raise alerts
				}
				pod, _ := m.Param("Pod")
				byPod[pod] = append(byPod[pod], m)
				if ns, _ := m.Param("Namespace"); ns != "gitlab" {
					t.Errorf("Namespace = %q in %s", ns, m.SD)
				}
				if id, _ := m.Param("ContainerID"); len(id) != 64 {
					t.Errorf("ContainerID = %q", id)
				}
				if m.Facility() != 23 {
					t.Errorf("facility %d, want local7", m.Facility())
				}
			}
			wsWant := webserviceWant(t)
			dropped, unwrapErrs := 2.0, 2.0
			if format == "auto" {
				// Auto takes the line that is no runtime record as a plain
				// line; not wrapped by gitlab-logger, in a source without
				// type, it is an other line: dropped.
				wsWant = append(wsWant[:6:6], wsWant[7:]...)
				dropped, unwrapErrs = 3, 1
			}
			checkK8s(t, byPod["gitlab-webservice-default-6c8d7d9f4-2xkqz"], wsWant, "webservice")
			var ingress []k8sWant
			for _, l := range readLines(t, filepath.Join(k8sSamples, "originals", "ingress_access.log")) {
				ingress = append(ingress, k8sWant{config.AppNameAccess, l})
			}
			ing := byPod["gitlab-nginx-ingress-controller-7b9c8d6f5-h4k2m"]
			checkK8s(t, ing, ingress, "controller")
			if len(ing) > 0 {
				if v, _ := ing[0].Param("UpstreamName"); v != "gitlab-gitlab-webservice-default-8181" {
					t.Errorf("UpstreamName = %q in %s", v, ing[0].SD)
				}
			}
			for name, want := range map[string]float64{"gitlab_syslog_lines_dropped_total": dropped, "gitlab_syslog_unwrap_errors_total": unwrapErrs} {
				if v := scrapedValue(t, a, name, ws); v != want {
					t.Errorf("%s{path=%s} = %v, want %v", name, ws, v, want)
				}
			}
			// The controller's own stderr message is no access line.
			if v := scrapedValue(t, a, "gitlab_syslog_lines_dropped_total", in); v != 1 {
				t.Errorf("ingress lines dropped: %v, want 1 (the stderr line)", v)
			}
		})
	}
}

func checkK8s(t *testing.T, got []syslogtest.Message, want []k8sWant, container string) {
	t.Helper()
	if len(got) != len(want) {
		for _, m := range got {
			t.Logf("%s %q", m.AppName, m.Msg)
		}
		t.Fatalf("%s: %d messages, want %d", container, len(got), len(want))
	}
	for i, w := range want {
		m := got[i]
		if string(m.AppName) != w.app || string(m.Msg) != w.msg {
			t.Errorf("%s message %d: APP-NAME %s MSG %q\nwant %s %q", container, i, m.AppName, m.Msg, w.app, w.msg)
		}
		// The Kubernetes element comes first, before gitlab@ and meta@ (as
		// the README says).
		if c, _ := m.Param("Container"); c != container || !strings.HasPrefix(string(m.SD), "[kubernetes@32473 ") {
			t.Errorf("%s message %d: no Kubernetes element first: %s", container, i, m.SD)
		}
	}
}

// TestKubernetesForwardOthers: with other_subcomponents: forward, the lines
// of other subcomponents and the stderr lines are sent raw under
// GitLab-Logs (MSG the unwrapped line) instead of dropped, still with the
// Kubernetes element.
func TestKubernetesForwardOthers(t *testing.T) {
	root := t.TempDir()
	link := installPod(t, root, filepath.Join(k8sSamples, "cri",
		"gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.log"))
	c := newConfig(t, "stdout://", config.Source{Path: link, Format: "cri", OtherSubcomponents: "forward"})
	c.Detections.Enabled = new(bool)
	a, msgs := runOnce(t, c)
	want := webserviceWant(t)
	prod := readLines(t, filepath.Join(k8sSamples, "originals", "production_json.log"))[0]
	want = append(want[:3:3], append([]k8sWant{{"GitLab-Logs", "Puma starting in cluster mode..."}, {"GitLab-Logs", prod}}, want[3:]...)...)
	checkK8s(t, msgs, want, "webservice")
	if v := scrapedValue(t, a, "gitlab_syslog_lines_dropped_total", link); v != 0 {
		t.Errorf("lines dropped: %v, want 0", v)
	}
}
