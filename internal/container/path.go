package container

import (
	"path/filepath"
	"strings"
)

// Meta is the Kubernetes metadata a container log file's name carries.
type Meta struct {
	Namespace, Pod, Container, ContainerID string
}

// IsZero reports whether m holds nothing.
func (m Meta) IsZero() bool { return m == Meta{} }

// ParsePath reads the metadata from a container log path as the kubelet
// names them (pkg/kubelet/kuberuntime, BuildContainerLogsDirectory and
// the /var/log/containers symlinks):
//
//	/var/log/containers/<pod>_<namespace>_<container>-<64 hex container id>.log
//	/var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart count>.log
//
// (the second also with a rotation suffix, 0.log.20240501-120000). Pod and
// namespace names cannot hold '_' (they are DNS labels and subdomains), so
// the split is unambiguous. Any other path gives the zero Meta.
func ParsePath(path string) Meta {
	base := filepath.Base(path)
	if n, ok := strings.CutSuffix(base, ".log"); ok {
		pod, rest, ok1 := strings.Cut(n, "_")
		ns, ctr, ok2 := strings.Cut(rest, "_")
		if ok1 && ok2 && pod != "" && ns != "" {
			m := Meta{Namespace: ns, Pod: pod, Container: ctr}
			if i := strings.LastIndexByte(ctr, '-'); i > 0 && isHex(ctr[i+1:]) && len(ctr)-i-1 == 64 {
				m.Container, m.ContainerID = ctr[:i], ctr[i+1:]
			}
			return m
		}
	}
	ctrDir := filepath.Dir(path)
	podDir := filepath.Base(filepath.Dir(ctrDir))
	ns, rest, ok1 := strings.Cut(podDir, "_")
	pod, _, ok2 := strings.Cut(rest, "_")
	if ok1 && ok2 && ns != "" && pod != "" && strings.Contains(base, ".log") {
		return Meta{Namespace: ns, Pod: pod, Container: filepath.Base(ctrDir)}
	}
	return Meta{}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}
