package hygiene

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// writableHostPath checks every volumeMount of every init, regular and
// ephemeral container that mounts a hostPath volume: the mount must set
// readOnly: true. One hit per offending mount, at the mount. Allowed:
// read-only mounts, and volumes that are not hostPath. Runtime socket volumes
// are left to BW-SC-004, since readOnly does not protect a socket.
var writableHostPath = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-005", Name: "writable-host-path",
		Title:    "Container mounts a host path writable",
		Severity: rule.High, Category: rule.SecurityContext,
		Why: "A writable hostPath mount lets the container change the node's own files. Depending on the path, that means planting a cron job, systemd unit, kubelet or static pod manifest, or SSH key that runs as root on the node; replacing binaries other pods or the node execute; tampering with logs that audits rely on; or filling the node's disk. " +
			"Even a path that looks harmless can be a way out: a symlink planted through a writable /var/log mount makes the kubelet serve any host file as a pod log.",
		Remediation: "Set readOnly: true on the volumeMount. If the workload must write, use an emptyDir or a PersistentVolumeClaim instead, or narrow the hostPath to a dedicated directory with type: Directory and keep it off shared locations such as /var/log, /etc or /var/lib/kubelet.",
		References: []string{
			"https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: immutable container file systems",
			"CIS Kubernetes Benchmark 5.2.12",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		hostPaths := map[string]string{}
		for _, v := range pt.Spec.Volumes {
			if v.HostPath != nil && !isRuntimeSocket(v.HostPath.Path) {
				hostPaths[v.Name] = v.HostPath.Path
			}
		}
		if len(hostPaths) == 0 {
			return nil
		}
		var hits []rule.Hit
		for c := range containers(pt) {
			for j, m := range c.Mounts {
				host, ok := hostPaths[m.Name]
				if !ok || m.ReadOnly {
					continue
				}
				hits = append(hits, rule.Hit{
					Path:     fmt.Sprintf("%s.volumeMounts[%d]", c.Path, j),
					Message:  fmt.Sprintf("container %q mounts hostPath volume %q (%s) at %s without readOnly: true", c.Name, m.Name, host, m.MountPath),
					Evidence: host,
				})
			}
		}
		return hits
	},
}
