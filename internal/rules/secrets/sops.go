package secrets

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// sopsPlaintext checks Secrets encrypted with SOPS (a top-level sops: block
// with mac, lastmodified or version): every data and stringData value must
// be an ENC[...] value. A value left in clear, usually because
// encrypted_regex named only some of the fields, is classified and
// reported. Allowed: ENC[...] values, empty values, and keys SOPS was told
// to leave in clear (unencrypted_suffix, unencrypted_regex); every other
// field of the Secret (metadata, type) is not secret.
var sopsPlaintext = &objectRule{
	Meta: meta("BW-SE-015", "sops-plaintext-value", "SOPS-encrypted Secret has a value left unencrypted", rule.Critical,
		"A file with a sops: block looks encrypted and passes review as such, but SOPS encrypts only the fields "+
			"its rules select. When encrypted_regex names data but the Secret uses stringData (or the other way "+
			"round), the credential is committed in clear inside a file everyone believes is safe.",
		"Widen the creation rule in .sops.yaml (for Secrets, encrypted_regex: ^(data|stringData)$), re-encrypt "+
			"the file with sops --encrypt --in-place, and check that every value reads ENC[...]."+deliver,
		"https://github.com/getsops/sops#encrypting-only-parts-of-a-file",
		"https://fluxcd.io/flux/guides/mozilla-sops/"),
	Applies: func(obj *manifest.Object) bool { return isCoreSecret(obj) },
	Check: func(s *scope) {
		s.own = true
		if owner(s) != ownSOPS {
			return
		}
		sops := at(s.root, "sops")
		suffix := str(at(sops, "unencrypted_suffix"))
		if suffix == "" && str(at(sops, "encrypted_suffix")) == "" && str(at(sops, "encrypted_regex")) == "" && str(at(sops, "unencrypted_regex")) == "" {
			suffix = "_unencrypted"
		}
		var unencrypted *regexp.Regexp
		if r := str(at(sops, "unencrypted_regex")); r != "" {
			unencrypted, _ = regexp.Compile(r)
		}
		s.secretValues(str(at(s.root, "type")), "", func(typ string, v secretValue) {
			s.cover(v.key, v.node)
			if strings.HasPrefix(strings.TrimSpace(v.node.Value), "ENC[") {
				return
			}
			if suffix != "" && strings.HasSuffix(v.name, suffix) || unencrypted != nil && unencrypted.MatchString(v.name) {
				return
			}
			v.where = fmt.Sprintf("SOPS-encrypted Secret key %q (%s, left unencrypted)", v.name, v.section)
			s.secretEntry(typ, v)
		})
	},
}

// hasSOPS reports a document encrypted by SOPS.
func hasSOPS(root *yaml.Node) bool {
	sops := at(root, "sops")
	if sops == nil || sops.Kind != yaml.MappingNode {
		return false
	}
	return at(sops, "mac") != nil || at(sops, "lastmodified") != nil || at(sops, "version") != nil
}
