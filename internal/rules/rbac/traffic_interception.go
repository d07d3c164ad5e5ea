package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// trafficInterception reports rules that allow update or patch on
// services/status (CVE-2020-8554) or pods/status, and writes (create,
// update, patch, delete) to Services, Endpoints, EndpointSlices,
// Ingresses, NetworkPolicies and Gateway API routes, gateways and
// reference grants.
var trafficInterception = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-015", Name: "rbac-traffic-interception",
		Title:    "Role redirects or intercepts traffic",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "Setting status.loadBalancer.ingress.ip on a Service captures traffic to that IP from every node (CVE-2020-8554, never fixed in Kubernetes); forged pod status redirects Service traffic; Services, Endpoints, Ingresses and Gateway routes decide where requests go, and NetworkPolicies what may reach what.",
		Remediation: "Grant status subresources to the controllers that own them only. Deploy Services, Ingresses, routes and NetworkPolicies through the GitOps controller rather than standing write access, and block CVE-2020-8554 with an admission policy on externalIPs and load balancer status." + scopeNote,
		References:  []string{"https://github.com/kubernetes/kubernetes/issues/97076", refGoodPractices},
	},
	Check: riskCheck(family{risks: []string{"services-status-write", "pods-status-write", "networking-write"}}),
}
