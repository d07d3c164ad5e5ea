package hygiene

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestFixtures(t *testing.T) {
	ruletest.Fixtures(t, "testdata", Checks(), nil)
}

func TestRegistry(t *testing.T) {
	if _, err := rule.NewRegistry(Checks(), nil); err != nil {
		t.Fatal(err)
	}
	for i, c := range Checks() {
		for _, m := range c.Rules() {
			if want := fmt.Sprintf("BW-SC-%03d", i+1); m.ID != want {
				t.Errorf("rule %d is %s, want %s", i, m.ID, want)
			}
			if m.Category != rule.SecurityContext {
				t.Errorf("%s: category %q", m.ID, m.Category)
			}
		}
	}
}

// TestPassFixturesAreClean holds every pass fixture to all hygiene rules, so
// each one stays an example of a well-configured workload.
func TestPassFixturesAreClean(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/pass/*.yaml")
	for _, f := range files {
		for _, obj := range ruletest.Load(t, f) {
			for _, c := range Checks() {
				for _, h := range c.CheckObject(obj) {
					t.Errorf("%s: %s %s: %s", f, h.Rule, h.Path, h.Message)
				}
			}
		}
	}
}

type wantHit struct {
	path, message string
	line          int
}

func TestHits(t *testing.T) {
	tests := []struct {
		name  string
		check rule.ObjectCheck
		file  string // fixture under testdata, or
		src   string // an inline manifest
		want  []wantHit
	}{
		{
			name: "readOnlyRootFilesystem unset points where to add it", check: readOnlyRootFilesystem,
			file: "read-only-root-filesystem/fail/deployment-unset.yaml",
			want: []wantHit{{"spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
				`container "web" does not set securityContext.readOnlyRootFilesystem=true`, 40}},
		},
		{
			name: "readOnlyRootFilesystem false", check: readOnlyRootFilesystem,
			file: "read-only-root-filesystem/fail/rollout-false.yaml",
			want: []wantHit{{"spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
				`container "checkout" sets securityContext.readOnlyRootFilesystem=false`, 38}},
		},
		{
			name: "readOnlyRootFilesystem in ephemeral containers", check: readOnlyRootFilesystem,
			src: ephemeralPod,
			want: []wantHit{{"spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem",
				`container "debugger-x7k2p" does not set securityContext.readOnlyRootFilesystem=true`, 15}},
		},
		{
			name: "root group: one hit per field", check: rootGroup,
			file: "root-group/fail/statefulset.yaml",
			want: []wantHit{
				{"spec.template.spec.securityContext.fsGroup", "pod sets securityContext.fsGroup=0 (root group)", 21},
				{"spec.template.spec.securityContext.supplementalGroups[1]", "pod adds group 0 (root) in securityContext.supplementalGroups", 22},
				{"spec.template.spec.containers[0].securityContext.runAsGroup", `container "postgres" sets securityContext.runAsGroup=0 (root group)`, 31},
			},
		},
		{
			name: "root group in a CronJob", check: rootGroup,
			file: "root-group/fail/cronjob.yaml",
			want: []wantHit{{"spec.jobTemplate.spec.template.spec.securityContext.runAsGroup",
				"pod sets securityContext.runAsGroup=0 (root group)", 19}},
		},
		{
			name: "default service account token", check: automountServiceAccountToken,
			file: "automount-service-account-token/fail/pod-default.yaml",
			want: []wantHit{{"spec.automountServiceAccountToken",
				"pod runs as the default service account and does not set automountServiceAccountToken=false", 8}},
		},
		{
			name: "deprecated serviceAccount names the account", check: automountServiceAccountToken,
			src: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccount: builder\n  containers:\n    - name: c\n      image: example/c:1\n",
		},
		{
			name: "runtime socket points at the host path", check: containerRuntimeSocket,
			file: "container-runtime-socket/fail/daemonset-docker-sock.yaml",
			want: []wantHit{{"spec.template.spec.volumes[0].hostPath.path",
				`volume "dockersocket" mounts /var/run/docker.sock from the host, exposing the container runtime socket`, 40}},
		},
		{
			name: "writable host path: init and regular containers", check: writableHostPath,
			file: "writable-host-path/fail/statefulset-local-disk.yaml",
			want: []wantHit{
				{"spec.template.spec.initContainers[0].volumeMounts[0]",
					`container "prepare-disk" mounts hostPath volume "local-ssd" (/mnt/disks/ssd0) at /mnt/disk without readOnly: true`, 35},
				{"spec.template.spec.containers[0].volumeMounts[0]",
					`container "kafka" mounts hostPath volume "local-ssd" (/mnt/disks/ssd0) at /var/lib/kafka/data without readOnly: true`, 49},
			},
		},
		{
			name: "writable runtime socket is left to the socket rule", check: writableHostPath,
			file: "container-runtime-socket/fail/cronjob-crio.yaml",
		},
		{
			name: "host aliases: one hit per entry", check: hostAliases,
			file: "host-aliases/fail/deployment.yaml",
			want: []wantHit{
				{"spec.template.spec.hostAliases[0]", "pod resolves erp.internal.example.com, erp to 10.20.0.15 through hostAliases", 18},
				{"spec.template.spec.hostAliases[1]", "pod resolves api.payments.example.net to 203.0.113.40 through hostAliases", 22},
			},
		},
		{
			name: "no security context: containers without one", check: missingSecurityContext,
			file: "missing-security-context/fail/deployment.yaml",
			want: []wantHit{
				{"spec.template.spec.initContainers[0].securityContext", `container "wait-for-db" has no securityContext, and the pod sets none either`, 18},
				{"spec.template.spec.containers[0].securityContext", `container "admin" has no securityContext, and the pod sets none either`, 22},
			},
		},
		{
			name: "pod-level security context covers its containers", check: missingSecurityContext,
			src: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: c\n      image: example/c:1\n",
		},
		{
			name: "objects that run no pod", check: missingSecurityContext,
			src: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: containers\ndata:\n  containers: none\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []*manifest.Object
			if tt.file != "" {
				objs = ruletest.Load(t, filepath.Join("testdata", tt.file))
			} else {
				f := manifest.Parse("inline.yaml", []byte(tt.src), nil)
				if len(f.Errors) > 0 {
					t.Fatal(f.Errors[0])
				}
				objs = f.Objects
			}
			var got []wantHit
			for _, obj := range objs {
				for _, h := range tt.check.CheckObject(obj) {
					pos, _ := obj.Pos(h.Path)
					got = append(got, wantHit{h.Path, h.Message, pos.Line})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d hits, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("hit %d:\n got  %+v\n want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// ephemeralPod is a Pod as read back from the API after kubectl debug.
const ephemeralPod = `apiVersion: v1
kind: Pod
metadata:
  name: web-5d8f7
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
  containers:
    - name: web
      image: ghcr.io/example/web:1.0.0
      securityContext:
        readOnlyRootFilesystem: true
  ephemeralContainers:
    - name: debugger-x7k2p
      image: docker.io/library/busybox:1.37
      targetContainerName: web
      stdin: true
      tty: true
`

func TestIsRuntimeSocket(t *testing.T) {
	for p, want := range map[string]bool{
		"/var/run/docker.sock":                true,
		"/run/docker.sock":                    true,
		"/var/run/containerd/containerd.sock": true,
		"/run/containerd/":                    true,
		"/var/run/crio/crio.sock":             true,
		"/var/run/cri-dockerd.sock":           true,
		"/run/k3s/containerd/containerd.sock": true,
		"/var/run":                            true,
		"/run//podman/../podman/podman.sock":  true,
		"/var/run/docker.sockets":             false,
		"/run/containerd-shim":                false,
		"/run/udev":                           false,
		"/var/lib/docker/containers":          false,
		"/":                                   false,
		"/var/log/pods":                       false,
	} {
		if got := isRuntimeSocket(p); got != want {
			t.Errorf("isRuntimeSocket(%q) = %v, want %v", p, got, want)
		}
	}
}
