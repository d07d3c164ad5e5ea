//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// TestLoad measures the webhook as deployed: cluster cache on, informers
// synced from the real API server (its bootstrap RBAC), policy and
// certificate reloaders running. It runs only when BULWARK_E2E_LOAD holds
// bulwark-loadgen's arguments, e.g.
//
//	BULWARK_E2E_LOAD="--rates 500,1000,2000 --soak 10m" BULWARK_E2E_LOAD_OUT=/tmp/load.md
//
// and writes the report to BULWARK_E2E_LOAD_OUT (default: the test log).
func TestLoad(t *testing.T) {
	args := os.Getenv("BULWARK_E2E_LOAD")
	if args == "" {
		t.Skip("BULWARK_E2E_LOAD is not set")
	}
	dir := t.TempDir()
	ca, _ := admission.NewCA("load CA", 24*time.Hour)
	cert, key, _ := ca.Issue([]string{"127.0.0.1"}, 24*time.Hour)
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	writeAtomic(t, certFile, cert)
	writeAtomic(t, keyFile, key)
	writeAtomic(t, caFile, ca.CertPEM)
	hook := e.startWebhookAt(t, "webhook-load", freePort(), "--tls-cert-file", certFile, "--tls-private-key-file", keyFile, "--log-level", "warn")
	defer hook.stop(t)
	if err := waitHTTP(strings.Replace(hook.metrics, "/metrics", "/readyz", 1), nil, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	loadgen := filepath.Join(e.dir, "bulwark-loadgen")
	build := exec.Command("go", "build", "-o", loadgen, "./cmd/bulwark-loadgen")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the load generator: %v\n%s", err, out)
	}
	full := append([]string{"--url", hook.url, "--ca-file", caFile, "--pid", strconv.Itoa(hook.cmd.Process.Pid), "--metrics-url", hook.metrics,
		"--label", "Webhook with the cluster cache on, synced from a real kube-apiserver v1.37.2 (bootstrap RBAC: 73 ClusterRoles, 54 ClusterRoleBindings, 7 Roles, 7 RoleBindings)."},
		strings.Fields(args)...)
	cmd := exec.Command(loadgen, full...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("load generator: %v\n%s", err, out)
	}
	if path := os.Getenv("BULWARK_E2E_LOAD_OUT"); path != "" {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Log("\n" + string(out))
}
