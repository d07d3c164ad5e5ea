// Package secrets finds plaintext credentials in Kubernetes and GitOps
// repositories, in every shape they take there, and stays quiet about
// secrets that are encrypted (SOPS, Sealed Secrets, git-crypt) or only
// referenced (secretKeyRef, External Secrets, Vault, CSI).
//
// Two layers work together:
//
//   - The structural layer (Structural, one rule per file of this package)
//     reads decoded objects: Secret data after base64 decoding, typed
//     Secrets by their keys, container env literals, ConfigMaps and the
//     config files embedded in them, annotations that embed whole objects,
//     kubeconfigs, Helm values in HelmRelease and Argo CD Applications,
//     Kustomize secret generators, Argo CD and Flux credentials, and the
//     leaks of SOPS, Sealed Secrets, External Secrets, CSI and Vault.
//     Every value it inspects is also classified by the content detectors
//     of package secret, so a GitHub token in a Secret is reported as a
//     GitHub token, at the Secret's field.
//   - The content layer (Content, a file check) runs the content
//     detectors over the raw bytes of every file except binaries and lock
//     files, for the shapes no structure describes: scripts, .env files,
//     CI definitions, documentation, custom resources.
//
// De-duplication: the structural layer owns every scalar it inspects,
// whether it reports it or clears it (an ENC[...] value, a sealed value, a
// public certificate). The content layer drops a match that lies within a
// scalar the structural layer inspected in the same file, or whose secret
// has the same keyed fingerprint as one the structural layer reported
// there. So each secret is reported once, by the layer that knows most
// about it, and encrypted values never reach the regex rules.
//
// Every hit carries redacted evidence and the secret's keyed fingerprint
// as its Key (see secret.Fingerprint); a secret value never appears in a
// message, evidence or error. A line comment `bulwark:ignore <rule> <reason>`
// on the reported line or the line above silences a rule there.
package secrets

import (
	"os"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// ObjectChecks returns the structural checks on single objects.
func ObjectChecks() []rule.ObjectCheck { return []rule.ObjectCheck{Structural} }

// SetChecks returns the structural checks that need several objects.
func SetChecks() []rule.SetCheck { return []rule.SetCheck{fluxSourceSecret} }

// FileChecks returns the checks that read whole files: Helm values files,
// git-crypt coverage and the content detectors on every file.
func FileChecks() []rule.FileCheck {
	return []rule.FileCheck{helmValuesFile, kustomizeGenerator, gitCryptPlaintext, Content}
}

// objectRules lists the structural object rules in ID order; each is
// declared in its own file. The list is filled in init because the rules
// hand values to each other through analyze, which reads it: a plain
// initializer would be an initialization cycle. Nothing is registered
// anywhere else; the rules package lists checks explicitly.
var objectRules []*objectRule

func init() { objectRules = objectRuleList() }

func objectRuleList() []*objectRule {
	return []*objectRule{
		secretData,             // BW-SE-001
		registryCredentials,    // BW-SE-002
		envLiteral,             // BW-SE-003
		configMapCredentials,   // BW-SE-004
		embeddedObject,         // BW-SE-005
		kubeconfigCredentials,  // BW-SE-006
		kubeconfigInsecure,     // BW-SE-007
		gitopsHelmValues,       // BW-SE-009
		argoCDCredentials,      // BW-SE-011
		fluxSubstitute,         // BW-SE-013
		weakDefault,            // BW-SE-014
		sopsPlaintext,          // BW-SE-015
		sealedClusterWide,      // BW-SE-016
		sealedTemplate,         // BW-SE-017
		externalSecretsInline,  // BW-SE-018
		secretProviderClassKey, // BW-SE-019
		vaultAnnotation,        // BW-SE-020
	}
}

// fingerprintKey is the HMAC key for secret fingerprints, read once from
// BULWARK_FINGERPRINT_KEY.
var fingerprintKey = sync.OnceValue(func() secret.Key { return secret.KeyFromEnv(os.Getenv) })

// owasp and k8sSecrets are references most rules share.
const (
	owasp       = "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html"
	k8sSecrets  = "https://kubernetes.io/docs/concepts/configuration/secret/"
	k8sGoodPrac = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
)

// meta builds a structural rule's metadata.
func meta(id, name, title string, sev rule.Severity, why, fix string, refs ...string) rule.Meta {
	return rule.Meta{
		ID: id, Name: name, Title: title, Severity: sev, Category: rule.Secrets,
		Why: why, Remediation: fix, References: append(refs, owasp),
	}
}

// deliver is the remediation every committed credential shares.
const deliver = " Then rotate the value: once committed it stays in Git history, so deleting the line is not enough. " +
	"Deliver it through SOPS, Sealed Secrets, External Secrets or the Secrets Store CSI driver instead."
