package secrets

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// secretData checks the data (base64-decoded) and stringData of core
// Secrets that no more specific rule owns (SOPS-encrypted Secrets,
// registry credentials and Argo CD Secrets have their own rules). Each
// value is classified: a recognised credential is reported as that
// (private key, GitHub token, JWT, ...), an embedded kubeconfig by the
// kubeconfig rule, an embedded config file entry by entry; any other
// literal in a key that is not plainly public or descriptive is reported
// as a plain-text credential. Typed Secrets are read by their keys:
// kubernetes.io/tls's tls.key is secret while tls.crt and ca.crt are
// public; basic-auth's password and bootstrap tokens' token-secret are
// secret while username and token-id are not. Allowed: empty values,
// templates and placeholders ({{ .Values.x }}, ${VAR}, <changeme>),
// certificates, public keys and known_hosts, and in rendered charts values
// made at install time (see scope.result).
var secretData = &objectRule{
	Meta: meta("BW-SE-001", "secret-plaintext-data", "Secret manifest holds a credential in plain text", rule.High,
		"A Secret's data is only base64-encoded, which anyone can decode; stringData is not even that. A Secret "+
			"committed to a GitOps repository hands its credentials to everyone who can read the repository, its "+
			"forks, clones, CI logs and Git history, forever: deleting the file later does not remove the old commits.",
		"Remove the Secret from the repository and commit an encrypted or referenced form instead: a SOPS-encrypted "+
			"file, a SealedSecret, or an ExternalSecret that reads the value from a secret manager."+deliver,
		k8sSecrets, k8sGoodPrac, "https://cwe.mitre.org/data/definitions/312.html"),
	Applies: func(obj *manifest.Object) bool { return isCoreSecret(obj) },
	Check: func(s *scope) {
		if owner(s) != ownData {
			return
		}
		s.secretValues(str(at(s.root, "type")), "", s.secretEntry)
	},
}

// isCoreSecret reports a Secret of the core API group, in any version (old
// repositories still hold v1beta3 ones).
func isCoreSecret(obj *manifest.Object) bool {
	return obj.Kind == "Secret" && group(obj) == "" && obj.APIVersion != ""
}

// Which rule reads a core Secret's values.
const (
	ownData     = iota // secretData
	ownSOPS            // sopsPlaintext
	ownRegistry        // registryCredentials
	ownArgoCD          // argoCDCredentials
)

// owner says which rule reads a core Secret's values: SOPS-encrypted
// Secrets, registry credentials and Argo CD Secrets have rules of their
// own, every other Secret is read by secretData.
func owner(s *scope) int {
	switch {
	case hasSOPS(s.root):
		return ownSOPS
	case strings.HasPrefix(str(at(s.root, "type")), "kubernetes.io/dockerc"):
		return ownRegistry
	case str(at(s.root, "metadata", "labels", argoSecretType)) != "":
		return ownArgoCD
	}
	return ownData
}

// secretValue is one decoded value of a Secret.
type secretValue struct {
	section, name, path, where string
	raw                        []byte // decoded
	key, node                  *yaml.Node
	encoded                    bool // came from data, so file lines do not match the text
}

// secretValues calls fn for every value in data and stringData under
// base ("" for a Secret, "spec.template" for a SealedSecret template, whose
// data is not base64-encoded).
func (s *scope) secretValues(typ, base string, fn func(typ string, v secretValue)) {
	encoded := base == ""
	for _, section := range []string{"data", "stringData"} {
		path := child(base, section)
		node := s.root
		if base != "" {
			node = at(s.root, strings.Split(base, ".")...)
		}
		for _, e := range entries(at(node, section)) {
			if !isScalar(e.val) {
				continue
			}
			v := secretValue{section: section, name: e.name, path: child(path, e.name), key: e.key, node: e.val}
			v.where = fmt.Sprintf("Secret key %q", e.name)
			if section == "data" && encoded {
				raw, ok := decodeBase64(e.val.Value)
				if !ok {
					raw = []byte(e.val.Value) // invalid base64: the API rejects it, but the value is in Git
				}
				v.raw, v.encoded = raw, ok
			} else {
				v.raw = []byte(e.val.Value)
			}
			fn(typ, v)
		}
	}
}

// secretEntry judges one Secret value for the running rule.
func (s *scope) secretEntry(typ string, v secretValue) {
	s.cover(v.key, v.node)
	raw := bytes.TrimSpace(v.raw)
	if len(raw) == 0 {
		return
	}
	if !printable(raw) {
		if publicName(v.name) {
			return
		}
		s.add(rule.Hit{
			Path: v.path, Message: fmt.Sprintf("%s holds %d bytes of binary data (a keystore or key file) in plain text", v.where, len(raw)),
			Evidence: "****", Key: secret.Fingerprint(fingerprintKey(), string(raw)),
		})
		return
	}
	text := string(raw)
	if kubeconfigText(text) {
		s.kubeconfig(v.path, v.where, text, s.textLine(v))
		return
	}
	if m, ok := classify(text); ok && !multiline(raw) {
		s.add(s.contentHit(m, v.path, v.where, 0))
		return
	}
	if publicName(v.name) || publicValue(text) {
		if multiline(raw) {
			s.text(textVal{path: v.path, where: v.where, name: v.name, text: text, first: s.textLine(v)})
		}
		return
	}
	if multiline(raw) {
		// A file in a Secret is reported for the credentials found in it.
		// One where none is recognised is still a Secret committed in
		// clear: reported at low severity for review, unless its name says
		// it is a credential file.
		if s.text(textVal{path: v.path, where: v.where, name: v.name, text: text, first: s.textLine(v)}) > 0 ||
			secret.IsPlaceholder(text) {
			return
		}
		h := rule.Hit{
			Path: v.path, Message: v.where + " holds a file in plain text",
			Evidence: secret.Redact(text), Key: secret.Fingerprint(fingerprintKey(), text),
		}
		if !credentialFile(v.name) {
			h.Severity = rule.Low
			h.Message = v.where + " holds a file in plain text in which no credential was recognised; review it"
		}
		s.add(h)
		return
	}
	named := secretKeyOf(typ, v.name)
	s.value(val{path: v.path, where: v.where, name: v.name, value: text, named: named})
}

// textLine is the file line where a Secret value's text starts, when the
// text is what the file holds (stringData), or 0.
func (s *scope) textLine(v secretValue) int {
	if v.encoded {
		return 0
	}
	return s.textStart(v.node)
}

// secretKeyOf reports whether a Secret key holds a credential. Every key
// does except those that identify or locate: username, host, port,
// apiAddress, token-id, azurestorageaccountname.
func secretKeyOf(typ, name string) bool {
	if typ == "bootstrap.kubernetes.io/token" {
		return name == "token-secret"
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 && i < len(name)-1 {
		name = name[i+1:] // discovery.sendtargets.auth.password
	}
	if secretName(name) {
		return true
	}
	ws := words(name)
	if len(ws) == 0 {
		return true
	}
	for _, w := range ws {
		if nonSecretKeys[w] || w != "key" && notSecretLast[w] && w == ws[len(ws)-1] {
			return false
		}
		switch w {
		case "username", "user", "login", "host", "hostname", "address", "addr", "url", "uri", "endpoint", "email", "region":
			return false
		}
	}
	lower := strings.ToLower(name)
	for _, suffix := range []string{"name", "username", "user", "host", "address", "url", "uri", "endpoint", "email", "region", "namespace", "port", "id"} {
		if strings.HasSuffix(lower, suffix) {
			return false
		}
	}
	return true
}

// nonSecretKeys are Secret keys that name or locate what the credential
// is for rather than being one.
var nonSecretKeys = set("database db dbname region project cluster server tenant bucket org organization realm " +
	"domain schema table topic queue driver protocol scheme hosts insecure enableoci enablelfs proxy noproxy")

// publicName reports keys that hold public material by convention.
func publicName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "ca.crt", "tls.crt", "ca", "ca.pem", "cabundle", "ca-bundle", "ca-bundle.crt", "ca_bundle", "known_hosts",
		"ssh_known_hosts", "certificate", "cert", "client.crt", "ssh-publickey", "id_rsa.pub", "id_ed25519.pub",
		"tlsclientcertdata", "certificate-authority-data", "client-certificate-data":
		return true
	}
	return strings.HasSuffix(n, ".crt") || strings.HasSuffix(n, ".cer") || strings.HasSuffix(n, ".pub")
}

// publicValue reports certificates and public keys.
func publicValue(text string) bool {
	t := strings.TrimSpace(text)
	for _, p := range []string{"-----BEGIN CERTIFICATE", "-----BEGIN PUBLIC KEY", "-----BEGIN RSA PUBLIC KEY",
		"-----BEGIN PGP PUBLIC KEY", "-----BEGIN X509 CRL", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"} {
		if strings.HasPrefix(t, p) {
			return !strings.Contains(t, "PRIVATE KEY")
		}
	}
	return false
}

// credentialFile reports file names that hold nothing but credentials.
func credentialFile(name string) bool {
	n := strings.ToLower(name)
	for _, suffix := range []string{".key", ".pem", ".p12", ".pfx", ".jks", ".keystore", ".p8", ".ppk", ".agekey", ".asc", ".gpg",
		"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".pgpass", ".netrc", ".htpasswd", "credentials", ".git-credentials",
		"token", "password", "passwd", "secret"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return secretName(name)
}
