package secrets

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// sealedTemplate checks what a SealedSecret carries outside its ciphertext:
// literal values in spec.template.data and stringData (which the
// controller copies into the Secret unencrypted), objects embedded in the
// template's annotations (a last-applied copy of the original Secret), and
// spec.encryptedData values that cannot be ciphertext (too short or not
// base64: a value pasted in clear). Allowed: encryptedData sealed by
// kubeseal, and template values that are Go templates over the decrypted
// keys ({{ index . "password" }}).
var sealedTemplate = &objectRule{
	Meta: meta("BW-SE-017", "sealed-secret-template-plaintext", "SealedSecret carries a value in plain text", rule.High,
		"Only spec.encryptedData is encrypted. Values written into spec.template (data, stringData, or an "+
			"annotation holding the original Secret) are committed in clear next to the ciphertext, in a file that "+
			"reviewers trust because it is sealed.",
		"Seal every credential with kubeseal into spec.encryptedData; keep spec.template to labels, annotations "+
			"without object copies, and templates that refer to sealed keys."+deliver,
		"https://github.com/bitnami-labs/sealed-secrets#sealedsecrets-as-templates-for-secrets",
		"https://github.com/bitnami-labs/sealed-secrets/issues/227"),
	Applies: func(obj *manifest.Object) bool { return isSealedSecret(obj) },
	Check: func(s *scope) {
		s.own = true
		s.secretValues(str(at(s.root, "spec", "template", "type")), "spec.template", func(typ string, v secretValue) {
			v.where = fmt.Sprintf("SealedSecret template key %q (%s, not sealed)", v.name, v.section)
			s.secretEntry(typ, v)
		})
		s.embeddedAnnotationsAs("spec.template.metadata.annotations")
		for _, e := range entries(at(s.root, "spec", "encryptedData")) {
			if !isScalar(e.val) {
				continue
			}
			s.cover(e.key, e.val)
			if sealedValue(e.val.Value) || secret.IsPlaceholder(e.val.Value) {
				continue
			}
			s.add(rule.Hit{
				Path:     child("spec.encryptedData", e.name),
				Message:  fmt.Sprintf("SealedSecret encryptedData key %q is not ciphertext: the value was pasted in clear", e.name),
				Evidence: secret.Redact(e.val.Value), Key: secret.Fingerprint(fingerprintKey(), e.val.Value),
			})
		}
	},
}

// sealedValue reports a value kubeseal can have produced: base64 of at
// least an RSA-2048 block plus the AES-GCM payload.
func sealedValue(v string) bool {
	v = strings.Join(strings.Fields(v), "")
	if len(v) < 300 {
		return false
	}
	_, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		_, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	return err == nil
}
