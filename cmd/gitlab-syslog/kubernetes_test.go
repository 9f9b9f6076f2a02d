package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

const k8sDir = "../../examples/kubernetes"

// decodeStrict decodes a manifest into obj as the API server's strict
// field validation does: an unknown or duplicated field is an error.
func decodeStrict(t *testing.T, name string, obj any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(k8sDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestKubernetesManifests validates examples/kubernetes against the
// Kubernetes API types (k8s.io/api, strict fields) and checks what the
// README promises: the DaemonSet mounts /var/log/containers and
// /var/log/pods read-only and a hostPath state directory, runs non-root
// with a read-only root filesystem, probes /healthz on the metrics port,
// uses the ServiceAccount and the ConfigMap; and the ConfigMap's config
// passes the agent's own validation, with state_dir, metrics.listen and
// every source under what the DaemonSet mounts.
func TestKubernetesManifests(t *testing.T) {
	var sa corev1.ServiceAccount
	var cm corev1.ConfigMap
	var ds appsv1.DaemonSet
	decodeStrict(t, "serviceaccount.yaml", &sa)
	decodeStrict(t, "configmap.yaml", &cm)
	decodeStrict(t, "daemonset.yaml", &ds)
	for _, tm := range []struct{ got, kind, apiVersion string }{
		{sa.Kind + " " + sa.APIVersion, "ServiceAccount", "v1"},
		{cm.Kind + " " + cm.APIVersion, "ConfigMap", "v1"},
		{ds.Kind + " " + ds.APIVersion, "DaemonSet", "apps/v1"},
	} {
		if tm.got != tm.kind+" "+tm.apiVersion {
			t.Errorf("kind/apiVersion %q, want %s %s", tm.got, tm.kind, tm.apiVersion)
		}
	}
	if sa.Namespace != ds.Namespace || cm.Namespace != ds.Namespace || ds.Namespace == "" {
		t.Errorf("namespaces differ: %q %q %q", sa.Namespace, cm.Namespace, ds.Namespace)
	}

	pod := ds.Spec.Template.Spec
	if sel := ds.Spec.Selector; sel == nil || !subset(sel.MatchLabels, ds.Spec.Template.Labels) {
		t.Errorf("selector %v does not match the template's labels %v", sel, ds.Spec.Template.Labels)
	}
	if pod.ServiceAccountName != sa.Name {
		t.Errorf("serviceAccountName %q, want %q", pod.ServiceAccountName, sa.Name)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	ctr := pod.Containers[0]
	sc := ctr.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container securityContext %+v: want read-only root, no privilege escalation, all capabilities dropped", sc)
	}
	if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want runAsNonRoot with a non-zero runAsUser", psc)
	}
	if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Requests.Memory().IsZero() || ctr.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", ctr.Resources)
	}

	// The config the ConfigMap holds, checked by the agent's own loader.
	text, ok := cm.Data["config.yaml"]
	if !ok {
		t.Fatal("configmap has no config.yaml")
	}
	c, err := config.Parse([]byte(text), "configmap.yaml:config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the ConfigMap's config does not validate: %v", err)
	}

	mounts := map[string]corev1.VolumeMount{}
	for _, m := range ctr.VolumeMounts {
		mounts[m.MountPath] = m
	}
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	hostPathAt := func(mountPath string, readOnly bool) {
		t.Helper()
		m, ok := mounts[mountPath]
		if !ok {
			t.Errorf("nothing mounted at %s", mountPath)
			return
		}
		v := vols[m.Name]
		if v.HostPath == nil || v.HostPath.Path != mountPath || m.ReadOnly != readOnly {
			t.Errorf("%s: volume %+v mount %+v, want hostPath %s readOnly=%v", mountPath, v.VolumeSource, m, mountPath, readOnly)
		}
	}
	hostPathAt("/var/log/containers", true)
	hostPathAt("/var/log/pods", true)
	hostPathAt(c.StateDir, false)

	// The args name the ConfigMap's mount.
	i := slices.Index(ctr.Args, "--config")
	if i < 0 || i+1 >= len(ctr.Args) {
		t.Fatalf("args %q have no --config", ctr.Args)
	}
	cfgMount, ok := mounts[filepath.Dir(ctr.Args[i+1])]
	if !ok || vols[cfgMount.Name].ConfigMap == nil || vols[cfgMount.Name].ConfigMap.Name != cm.Name || filepath.Base(ctr.Args[i+1]) != "config.yaml" {
		t.Errorf("--config %s is not the ConfigMap %s's config.yaml", ctr.Args[i+1], cm.Name)
	}
	// The args parse as run's flags.
	runCmd := subcommand(t, "run")
	if err := runCmd.ParseFlags(ctr.Args[1:]); err != nil || ctr.Args[0] != "run" {
		t.Errorf("args %q are not run's: %v", ctr.Args, err)
	}

	// Every source is under a mounted host directory.
	for _, s := range c.Sources {
		if !strings.HasPrefix(s.Path, "/var/log/containers/") {
			t.Errorf("source %s is not under /var/log/containers", s.Path)
		}
	}

	// Probes on /healthz at metrics.listen's port.
	_, port, _ := strings.Cut(c.Metrics.Listen, ":")
	for name, p := range map[string]*corev1.Probe{"liveness": ctr.LivenessProbe, "readiness": ctr.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
			t.Errorf("%s probe %+v: want httpGet /healthz", name, p)
			continue
		}
		pp := p.HTTPGet.Port.String()
		for _, cp := range ctr.Ports {
			if cp.Name == pp {
				pp = strconv.Itoa(int(cp.ContainerPort))
			}
		}
		if pp != port {
			t.Errorf("%s probe port %s, want metrics.listen's %s", name, pp, port)
		}
	}
}

func subset(sub, of map[string]string) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return len(sub) > 0
}

// TestKubernetesManifestsStrict: the strict decoding used above rejects a
// misspelt field, so the validation can fail.
func TestKubernetesManifestsStrict(t *testing.T) {
	var ds appsv1.DaemonSet
	bad := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containerz: []\n"
	if err := yaml.UnmarshalStrict([]byte(bad), &ds); err == nil {
		t.Error("a misspelt field decoded without error")
	}
}

// TestCheckGlobSource: check lists a glob source with its format and the
// number of files it matches now.
func TestCheckGlobSource(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "logs", "a_ns_webservice-1.log"), "")
	writeFile(t, filepath.Join(dir, "logs", "b_ns_webservice-2.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+
		"\nsources:\n  - path: "+filepath.Join(dir, "logs", "*_webservice-*.log")+"\n    format: cri\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, want := range []string{"(per line)", "by subcomponent", "format cri, glob: 2 files match now"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}
