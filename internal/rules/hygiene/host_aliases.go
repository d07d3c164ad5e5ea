package hygiene

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// hostAliases checks spec.hostAliases: each entry, which writes names into
// the pod's /etc/hosts ahead of DNS, is its own hit, at the entry. Allowed: no
// hostAliases (an empty list is the same).
var hostAliases = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-007", Name: "host-aliases",
		Title:    "Pod overrides name resolution with hostAliases",
		Severity: rule.Low, Category: rule.SecurityContext,
		Why: "hostAliases pins host names to fixed IP addresses in the pod's /etc/hosts, ahead of cluster DNS. A change to a manifest can thereby send a workload's traffic for a trusted name (an API, a database, a package mirror, the cloud metadata service) to another address without touching DNS, where it is neither visible nor audited; and pinned addresses go stale when the real service moves. " +
			"In review it is easy to miss, so a name override deserves an explicit look.",
		Remediation: "Remove spec.hostAliases and publish the names in DNS: a Service, an ExternalName Service, or a CoreDNS hosts or rewrite entry that is managed and reviewed in one place.",
		References: []string{
			"https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/",
			"https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		var hits []rule.Hit
		for i, a := range pt.Spec.HostAliases {
			hits = append(hits, rule.Hit{
				Path:     fmt.Sprintf("%s.hostAliases[%d]", pt.SpecPath, i),
				Message:  fmt.Sprintf("pod resolves %s to %s through hostAliases", strings.Join(a.Hostnames, ", "), a.IP),
				Evidence: a.IP + " " + strings.Join(a.Hostnames, " "),
			})
		}
		return hits
	},
}
