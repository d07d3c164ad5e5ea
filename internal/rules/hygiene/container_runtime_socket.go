package hygiene

import (
	"fmt"
	"path"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// containerRuntimeSocket checks hostPath volumes for container runtime
// sockets: a path that is, or is under, one of runtimeSockets, or that is the
// socket directory /run (or /var/run) itself. Paths are cleaned and /var/run
// is read as /run, its target on every current distribution. One hit per
// volume, at its hostPath.path, whether or not a container mounts it and
// whatever the mount's readOnly: a read-only mount still lets a process
// connect to a socket. Allowed: every other hostPath; broader mounts such as
// / or /var are left to the Pod Security Standards' hostPath check and
// BW-SC-005.
var containerRuntimeSocket = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-004", Name: "container-runtime-socket",
		Title:    "Pod mounts the container runtime socket",
		Severity: rule.Critical, Category: rule.SecurityContext,
		Why: "The container runtime's socket (Docker, containerd, CRI-O, Podman) is an unauthenticated API that runs as root on the node. Any process that can connect to it can start a privileged container with the host's filesystem mounted, read every other container's environment and files, and pull or replace images: it is root on the node and a path to every secret scheduled there. " +
			"Mounting the socket read-only does not help, because connecting to a Unix socket is not a write to the filesystem.",
		Remediation: "Remove the hostPath volume. Build images with a daemonless builder (BuildKit rootless, kaniko, Buildah), read container metadata from the Kubernetes API or the kubelet, and collect logs from /var/log/pods instead of asking the runtime.",
		References: []string{
			"https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: Kubernetes Pod security",
			"CIS Kubernetes Benchmark 5.2.12",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		var hits []rule.Hit
		for i, v := range pt.Spec.Volumes {
			if v.HostPath == nil || !isRuntimeSocket(v.HostPath.Path) {
				continue
			}
			hits = append(hits, rule.Hit{
				Path:     fmt.Sprintf("%s.volumes[%d].hostPath.path", pt.SpecPath, i),
				Message:  fmt.Sprintf("volume %q mounts %s from the host, exposing the container runtime socket", v.Name, v.HostPath.Path),
				Evidence: v.HostPath.Path,
			})
		}
		return hits
	},
}

// runtimeSockets are the sockets, and the directories holding only runtime
// sockets and state, of the runtimes Kubernetes nodes use, under /run.
var runtimeSockets = []string{
	"/run/docker.sock",
	"/run/docker",
	"/run/containerd",
	"/run/crio",
	"/run/cri-dockerd.sock",
	"/run/dockershim.sock",
	"/run/podman",
	"/run/k3s/containerd",
	"/run/k0s/containerd.sock",
	"/var/snap/microk8s/common/run/containerd.sock",
}

// isRuntimeSocket reports whether a host path exposes a runtime socket.
func isRuntimeSocket(p string) bool {
	p = path.Clean(p)
	if p == "/var/run" || strings.HasPrefix(p, "/var/run/") {
		p = strings.TrimPrefix(p, "/var")
	}
	if p == "/run" {
		return true
	}
	for _, s := range runtimeSockets {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}
