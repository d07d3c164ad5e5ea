package secrets

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// weakDefault names the finding every structural rule makes instead of its
// own when a credential is a well-known default or trivially guessed
// password (password, admin, changeme, root, 123456, prom-operator, ...):
// in a Secret key, an env password, a values file, a kubeconfig. Where
// only a name hints at a credential, only names of passwords count. The
// rules find the values; this declaration only names the risk.
var weakDefault = &objectRule{
	Meta: meta("BW-SE-014", "weak-default-password", "Credential is a well-known default password", rule.High,
		"A default or trivially guessed password (admin, password, changeme, root, the chart's shipped default) "+
			"is the first thing an attacker tries, by hand or in automated scans; committed to a repository it is "+
			"also public. Services deployed with one are effectively open.",
		"Generate a strong random password per environment, keep it in a secret manager, and deliver it through "+
			"an ExternalSecret, SealedSecret or SOPS-encrypted Secret; for charts, set existingSecret instead of the "+
			"chart's password value.",
		"https://cwe.mitre.org/data/definitions/1392.html", "https://cwe.mitre.org/data/definitions/521.html"),
	Applies: func(*manifest.Object) bool { return false },
	Check:   func(*scope) {},
}
