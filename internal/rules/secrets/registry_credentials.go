package secrets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// registryCredentials checks image registry Secrets, types
// kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg: it decodes
// .dockerconfigjson (or .dockercfg), then each registry's auth (base64 of
// user:password), password, identitytoken and registrytoken. Allowed:
// empty and templated values, credential helpers (credsStore,
// credHelpers), which hold no secret.
var registryCredentials = &objectRule{
	Meta: meta("BW-SE-002", "secret-registry-credentials", "Image registry credentials committed in plain text", rule.Critical,
		"An image pull Secret holds a registry password or token, often with push rights. Whoever reads it from "+
			"the repository can pull private images, and with push rights replace them: a supply-chain compromise "+
			"of every cluster that runs them.",
		"Remove the Secret from the repository; create it in the cluster from a secret manager (External Secrets "+
			"with a registry provider, or a SealedSecret), or use workload identity to pull from cloud registries."+deliver,
		"https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/",
		"https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets"),
	Applies: func(obj *manifest.Object) bool { return isCoreSecret(obj) },
	Check: func(s *scope) {
		s.own = true
		if owner(s) != ownRegistry {
			return
		}
		s.secretValues(str(at(s.root, "type")), "", func(typ string, v secretValue) {
			if v.name != ".dockerconfigjson" && v.name != ".dockercfg" {
				s.secretEntry(typ, v)
				return
			}
			s.cover(v.key, v.node)
			s.dockerConfig(v)
		})
	},
}

// dockerAuth is one registry's entry in a Docker config.
type dockerAuth struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

func (s *scope) dockerConfig(v secretValue) {
	var cfg struct {
		Auths map[string]dockerAuth `json:"auths"`
	}
	if err := json.Unmarshal(v.raw, &cfg); err != nil || cfg.Auths == nil {
		var legacy map[string]dockerAuth // .dockercfg: registries at the top
		if err2 := json.Unmarshal(v.raw, &legacy); err2 != nil {
			s.value(val{path: v.path, where: v.where + " (not valid JSON)", name: "password",
				value: strings.TrimSpace(string(v.raw)), named: true})
			return
		}
		cfg.Auths = legacy
	}
	regs := make([]string, 0, len(cfg.Auths))
	for r := range cfg.Auths {
		regs = append(regs, r)
	}
	sort.Strings(regs)
	for _, reg := range regs {
		a := cfg.Auths[reg]
		where := fmt.Sprintf("%s, registry %q,", v.where, reg)
		if a.Auth != "" {
			if b, ok := decodeBase64(a.Auth); ok && printable(b) {
				_, pass, found := strings.Cut(string(b), ":")
				if !found {
					pass = string(b)
				}
				s.value(val{path: v.path, where: where + " auth", name: "password", value: pass, named: true})
			} else {
				s.value(val{path: v.path, where: where + " auth", name: "auth", value: a.Auth, named: true})
			}
		}
		for _, f := range []struct{ name, value string }{
			{"password", a.Password}, {"identitytoken", a.IdentityToken}, {"registrytoken", a.RegistryToken},
		} {
			if f.value != "" && f.value != a.Auth {
				s.value(val{path: v.path, where: where + " " + f.name, name: f.name, value: f.value, named: true})
			}
		}
	}
}
