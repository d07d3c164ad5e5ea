package gitops

import (
	"encoding/base64"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// argoSecretType is the label that makes a Secret Argo CD configuration.
const argoSecretType = "argocd.argoproj.io/secret-type"

// argoSecretKind returns the Argo CD role of a Secret (repository,
// repo-creds, cluster...), or "".
func argoSecretKind(obj *manifest.Object) string {
	if obj.Kind != "Secret" || obj.APIVersion != "v1" {
		return ""
	}
	return obj.StringMap("metadata.labels")[argoSecretType]
}

func isRepoSecret(kind string) bool {
	switch kind {
	case "repository", "repo-creds", "repository-write", "repo-write-creds":
		return true
	}
	return false
}

// secretValue reads one key of a Secret: stringData first (as the API server
// merges it), then data, base64-decoded. path is the field to point at.
func secretValue(obj *manifest.Object, key string) (value, path string, ok bool) {
	sp := fmt.Sprintf("stringData[%q]", key)
	if n := obj.Node(sp); n != nil {
		return obj.String(sp), sp, true
	}
	dp := fmt.Sprintf("data[%q]", key)
	if n := obj.Node(dp); n != nil {
		raw := obj.String(dp)
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
		if err != nil {
			return raw, dp, true
		}
		return string(dec), dp, true
	}
	return "", "", false
}

// truthy reads the "true" Argo CD and Kubernetes accept in string fields.
func truthy(s string) bool {
	return strings.EqualFold(strings.TrimSpace(s), "true")
}

func plainHTTP(url string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(url)), "http://")
}

// secretFields are the keys of Argo CD repository and cluster Secrets that
// hold credentials.
var secretFields = []string{"password", "sshPrivateKey", "githubAppPrivateKey", "tlsClientCertKey", "bearerToken", "gcpServiceAccountKey", "azureServicePrincipalClientSecret"}

// inBlock places a hit inside a multi-line string field (a cluster config,
// an argocd-cm repository list): the file line and column of the first line
// of the value that contains needle, at or after the from-th line of the
// value. ok is false when the value is not a block scalar or lacks needle;
// the hit then stays on the field's own line.
func inBlock(obj *manifest.Object, path, needle string, from int) (line, col int, ok bool) {
	n := obj.Node(path)
	if n == nil || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return 0, 0, false
	}
	pos, found := obj.Pos(path)
	if !found {
		return 0, 0, false
	}
	lines := strings.Split(n.Value, "\n")
	docLines := strings.Split(string(obj.Data()), "\n")
	for i := from; i < len(lines); i++ {
		j := strings.Index(lines[i], needle)
		if j < 0 {
			continue
		}
		// The value's lines start on the line after the indicator, indented.
		indent := 0
		if d := n.Line + i; d < len(docLines) {
			indent = len(docLines[d]) - len(strings.TrimLeft(docLines[d], " "))
		}
		return pos.Line + 1 + i, indent + j + 1, true
	}
	return 0, 0, false
}
