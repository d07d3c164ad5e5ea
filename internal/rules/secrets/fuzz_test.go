package secrets

import (
	"strings"
	"testing"
)

// FuzzScanFile runs every secrets check on arbitrary files: no panic, and
// no hit whose message or evidence shows more of a value than redaction
// allows (the seeds plant a known value).
func FuzzScanFile(f *testing.F) {
	const planted = "Zq8vLm2xRw7tKp4n"
	for _, seed := range []string{
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  password: " + planted + "\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  app.env: |\n    TOKEN=" + planted + "\n",
		"apiVersion: v1\nkind: Config\nusers:\n  - name: u\n    user:\n      token: " + planted + "\n",
		"apiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"password\":\"" + planted + "\"}}'\n",
		"auth:\n  password: \"" + planted[:8] + "\\\n    " + planted[8:] + "\"\n",
		"export DB_PASSWORD=" + planted + "\n",
	} {
		f.Add("x.yaml", seed)
	}
	f.Add("values.yaml", "a: [b, {c: d}]\n")
	f.Add("kustomization.yaml", "secretGenerator:\n  - literals: [password="+planted+"]\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		for _, h := range ScanFile(name, []byte(data)) {
			if h.Rule == "" || h.Message == "" {
				t.Fatalf("hit without rule or message: %+v", h)
			}
			for _, s := range []string{h.Message, h.Evidence} {
				if strings.Contains(s, planted[4:]) {
					t.Fatalf("%s reveals the value: %q", h.Rule, s)
				}
			}
			if h.Evidence != "" && h.Evidence != "****" && !strings.HasSuffix(h.Evidence, "****") {
				t.Fatalf("%s: evidence %q is not redacted", h.Rule, h.Evidence)
			}
		}
	})
}
