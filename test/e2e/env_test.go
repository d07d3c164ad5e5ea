//go:build e2e

// Package e2e runs Bulwark against a real kube-apiserver and etcd that the
// test starts on loopback. BULWARK_E2E_ASSETS names the directory holding
// kube-apiserver, etcd and kubectl (hack/kube-testenv/build.sh makes it).
//
//	BULWARK_E2E_ASSETS=$(hack/kube-testenv/build.sh) go test -tags e2e ./test/e2e/...
package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// env is the running control plane and what the tests need to use it.
type env struct {
	dir        string // scratch: PKI, etcd data, logs
	assets     string
	bulwark    string // the bulwark binary under test
	kubeconfig string
	context    string
	server     string
	kube       kubernetes.Interface
	procs      []*exec.Cmd
	logs       []string
}

var e *env

func TestMain(m *testing.M) {
	assets := os.Getenv("BULWARK_E2E_ASSETS")
	if assets == "" {
		fmt.Println("skipping end-to-end tests: BULWARK_E2E_ASSETS is not set (hack/kube-testenv/build.sh prints it)")
		os.Exit(0)
	}
	var err error
	e, err = start(assets)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e environment:", err)
		if e != nil {
			e.dumpLogs()
		}
	} else {
		code = m.Run()
		if code != 0 {
			e.dumpLogs()
		}
	}
	if e != nil {
		e.stop()
	}
	os.Exit(code)
}

func start(assets string) (*env, error) {
	dir, err := os.MkdirTemp("", "bulwark-e2e-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, assets: assets, context: "e2e"}
	t0 := time.Now()
	built := make(chan error, 1)
	go func() { built <- e.buildBulwark() }()
	pki, err := makePKI(dir)
	if err != nil {
		return e, err
	}
	etcdClient, etcdPeer, apiPort := freePort(), freePort(), freePort()
	if _, err := e.spawn("etcd", filepath.Join(assets, "etcd"),
		"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls=http://"+etcdClient, "--advertise-client-urls=http://"+etcdClient,
		"--listen-peer-urls=http://"+etcdPeer, "--initial-advertise-peer-urls=http://"+etcdPeer,
		"--initial-cluster=e2e=http://"+etcdPeer, "--unsafe-no-fsync=true", "--log-level=warn"); err != nil {
		return e, err
	}
	if err := waitHTTP("http://"+etcdClient+"/health", nil, 30*time.Second); err != nil {
		return e, fmt.Errorf("etcd: %w", err)
	}
	_, port, _ := net.SplitHostPort(apiPort)
	if _, err := e.spawn("kube-apiserver", filepath.Join(assets, "kube-apiserver"),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+port,
		"--etcd-servers=http://"+etcdClient, "--cert-dir="+filepath.Join(dir, "apiserver-certs"),
		"--tls-cert-file="+pki.serverCert, "--tls-private-key-file="+pki.serverKey, "--client-ca-file="+pki.caCert,
		"--authorization-mode=RBAC", "--anonymous-auth=false",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.saPub, "--service-account-signing-key-file="+pki.saKey,
		"--service-cluster-ip-range=10.0.0.0/24", "--allow-privileged=true", "--endpoint-reconciler-type=none",
		"--disable-admission-plugins=ServiceAccount"); err != nil {
		return e, err
	}
	e.server = "https://" + apiPort
	if err := waitHTTP(e.server+"/readyz", pki.adminTLS, 60*time.Second); err != nil {
		return e, fmt.Errorf("kube-apiserver: %w", err)
	}
	if err := e.writeKubeconfig(pki); err != nil {
		return e, err
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: e.kubeconfig}, &clientcmd.ConfigOverrides{CurrentContext: e.context}).ClientConfig()
	if err != nil {
		return e, err
	}
	cfg.QPS, cfg.Burst = 500, 1000
	if e.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return e, err
	}
	if err := <-built; err != nil {
		return e, err
	}
	fmt.Printf("e2e environment up in %.1fs (etcd, kube-apiserver %s, bulwark built)\n", time.Since(t0).Seconds(), e.server)
	return e, nil
}

func (e *env) buildBulwark() error {
	e.bulwark = filepath.Join(e.dir, "bulwark")
	cmd := exec.Command("go", "build", "-o", e.bulwark, "./cmd/bulwark")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building bulwark: %v\n%s", err, out)
	}
	return nil
}

// spawn starts a long-running process with its output in a log file.
func (e *env) spawn(name, bin string, args ...string) (*exec.Cmd, error) {
	logPath := filepath.Join(e.dir, name+".log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	e.procs = append(e.procs, cmd)
	e.logs = append(e.logs, logPath)
	return cmd, nil
}

func (e *env) stop() {
	for i := len(e.procs) - 1; i >= 0; i-- {
		p := e.procs[i]
		if p.ProcessState != nil {
			continue
		}
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	if os.Getenv("BULWARK_E2E_KEEP") == "" {
		_ = os.RemoveAll(e.dir)
	}
}

func (e *env) dumpLogs() {
	for _, l := range e.logs {
		data, _ := os.ReadFile(l)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(os.Stderr, "==== %s (last lines)\n%s\n", filepath.Base(l), strings.Join(lines, "\n"))
	}
}

// run runs a command to completion and returns its combined output.
func run(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %v: %v", bin, args, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), code
}

// bw runs the bulwark CLI against the test cluster's context.
func (e *env) bw(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return run(t, e.bulwark, append(args, "--kubeconfig", e.kubeconfig, "--context", e.context)...)
}

// kubectl runs kubectl against the test cluster.
func (e *env) kubectl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return run(t, filepath.Join(e.assets, "kubectl"), append([]string{"--kubeconfig", e.kubeconfig, "--context", e.context}, args...)...)
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(url string, tlsCfg *tls.Config, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %v", timeout, last)
}

type pki struct {
	caCert, serverCert, serverKey, saKey, saPub string
	caPEM, adminCert, adminKey                  []byte
	adminTLS                                    *tls.Config
}

func makePKI(dir string) (*pki, error) {
	p := &pki{}
	ca, err := admission.NewCA("e2e cluster CA", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	serverCert, serverKey, err := ca.Issue([]string{"127.0.0.1", "localhost", "kubernetes.default.svc"}, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	p.caPEM = ca.CertPEM
	// The admin's client certificate: O=system:masters.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:   pkix.Name{CommonName: "e2e-admin", Organization: []string{"system:masters"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	p.adminCert = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p.adminKey = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pair, err := tls.X509KeyPair(p.adminCert, p.adminKey)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	p.adminTLS = &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}
	// The service-account signing key.
	sa, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, _ := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	files := map[string][]byte{
		"ca.crt": ca.CertPEM, "apiserver.crt": serverCert, "apiserver.key": serverKey,
		"sa.key": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sa)}),
		"sa.pub": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	p.caCert, p.serverCert, p.serverKey = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "apiserver.crt"), filepath.Join(dir, "apiserver.key")
	p.saKey, p.saPub = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	return p, nil
}

// writeKubeconfig writes two contexts: e2e, the test cluster, and a
// current context that points nowhere, so every command must honour
// --context as kubectl does.
func (e *env) writeKubeconfig(p *pki) error {
	b64 := base64.StdEncoding.EncodeToString
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, certificate-authority-data: %s}
- name: nowhere
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: admin
  user: {client-certificate-data: %s, client-key-data: %s}
contexts:
- name: e2e
  context: {cluster: e2e, user: admin}
- name: wrong
  context: {cluster: nowhere, user: admin}
current-context: wrong
`, e.server, b64(p.caPEM), b64(p.adminCert), b64(p.adminKey))
	e.kubeconfig = filepath.Join(e.dir, "kubeconfig")
	return os.WriteFile(e.kubeconfig, []byte(cfg), 0o600)
}
