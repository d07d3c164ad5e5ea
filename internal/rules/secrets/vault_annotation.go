package secrets

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// vaultPrefix starts the Vault Agent injector's annotations.
const vaultPrefix = "vault.hashicorp.com/"

// vaultAnnotation checks the Vault Agent injector annotations of an object
// and of the pod it runs: a Vault token or other recognised credential in
// any of them, literal credentials in agent-inject-template-* templates, and
// credential-named settings (auth-config-*) given literal values. Allowed:
// agent-inject, role and auth path settings, agent-inject-secret-* paths
// and templates that read the secret from Vault.
var vaultAnnotation = &objectRule{
	Meta: meta("BW-SE-020", "vault-annotation-credentials", "Vault Agent annotation holds a credential", rule.High,
		"The Vault Agent injector exists so that workloads fetch secrets at run time with their own identity. A "+
			"token or password written into its annotations or templates defeats that: it is committed in clear, "+
			"readable by everyone who can read the workload, and often a Vault token that reaches far more secrets.",
		"Authenticate the agent with the Kubernetes auth method (vault.hashicorp.com/role) and let templates "+
			"read secrets from Vault; revoke any Vault token that was committed (vault token revoke)."+deliver,
		"https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations"),
	Applies: func(obj *manifest.Object) bool {
		if obj.Kind == "CustomResourceDefinition" {
			return false
		}
		if !obj.OwnData() { // a List item: its bytes are the whole List, its tree is built
			return obj.Node("metadata.annotations") != nil || obj.Node("spec.template.metadata.annotations") != nil
		}
		return bytes.Contains(obj.Data(), []byte(vaultPrefix))
	},
	Check: func(s *scope) {
		s.vaultAnnotations("metadata.annotations", s.obj.StringMap("metadata.annotations"))
		if pt, err := s.obj.PodTemplate(); err == nil && pt != nil && pt.MetaPath != "metadata" {
			s.vaultAnnotations(pt.MetaPath+".annotations", pt.Meta.Annotations)
		}
	},
}

func (s *scope) vaultAnnotations(path string, ann map[string]string) {
	names := make([]string, 0, len(ann))
	for n := range ann {
		if strings.HasPrefix(n, vaultPrefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		v, setting := ann[n], strings.TrimPrefix(n, vaultPrefix)
		p := child(path, n)
		node := s.obj.Node(p)
		s.cover(nil, node)
		where := fmt.Sprintf("annotation %s", n)
		switch {
		case strings.HasPrefix(setting, "agent-inject-template-"):
			first := 0
			if node != nil {
				first = s.textStart(node)
			}
			s.text(textVal{path: p, where: where, name: setting, text: v, first: first})
		case strings.HasPrefix(setting, "agent-inject-secret-"), strings.HasPrefix(setting, "agent-inject-token"):
			s.value(val{path: p, where: where, name: setting, value: v})
		default:
			s.value(val{path: p, where: where, name: setting, value: v, named: secretName(setting), loose: true})
		}
	}
}
