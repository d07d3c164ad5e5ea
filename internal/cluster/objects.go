package cluster

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// Names shared by install, verify, the chart and the webhook's flags.
const (
	DefaultNamespace = "bulwark"
	DefaultName      = "bulwark"
	WebhookName      = "validate.bulwark.dev"
	PolicyKey        = "policy.yaml"
	DigestAnnotation = "bulwark.dev/policy-digest"
	ValidatePath     = "/validate"
	FieldManager     = "bulwark"
	// PolicyMountDir is where the Deployment mounts the policy ConfigMap,
	// TLSMountDir the serving certificate's Secret.
	PolicyMountDir = "/etc/bulwark/policy"
	TLSMountDir    = "/etc/bulwark/tls"
)

// How the webhook gets its serving certificate.
const (
	// TLSGenerate: install makes a CA and certificate with the installer's
	// credentials and stores them in a Secret the pods mount; the webhook
	// needs no rights on Secrets or webhook configurations.
	TLSGenerate = "generate"
	// TLSCertManager: cert-manager issues the certificate and injects the
	// CA bundle.
	TLSCertManager = "cert-manager"
	// TLSSelfSigned: the webhook makes its own CA at start-up (webhook
	// --self-signed) and writes it into its webhook configuration, for which
	// it needs the right to update that configuration.
	TLSSelfSigned = "self-signed"
)

// DefaultExcludedNamespaces are never sent to the webhook: the control
// plane's own, and (added by Spec) the webhook's namespace, so that the
// webhook's pods can always start.
var DefaultExcludedNamespaces = []string{"kube-system", "kube-node-lease"}

// ControllerUsers are the built-in controllers' identities. Their requests
// are not sent to the webhook: they create Pods, ReplicaSets and Jobs from
// objects that were judged when a person or agent applied them, and
// judging the children again would block pods of an excepted Deployment
// (exceptions name the Deployment, not its generated pods). Only someone
// with the rights of these controllers can use these identities.
var ControllerUsers = []string{
	"system:kube-controller-manager",
	"system:serviceaccount:kube-system:replicaset-controller",
	"system:serviceaccount:kube-system:deployment-controller",
	"system:serviceaccount:kube-system:job-controller",
	"system:serviceaccount:kube-system:cronjob-controller",
	"system:serviceaccount:kube-system:daemon-set-controller",
	"system:serviceaccount:kube-system:statefulset-controller",
	"system:serviceaccount:kube-system:replication-controller",
}

// Spec is what `policy install` puts in a cluster.
type Spec struct {
	Namespace, Name string
	Image           string
	Replicas        int32
	Policy          []byte // the policy document, as the ConfigMap holds it
	PolicyDigest    string
	// URL points the webhook configuration at a webhook outside the cluster
	// instead of the in-cluster Service; WebhookOnly installs no Deployment,
	// Service, RBAC, PodDisruptionBudget or NetworkPolicy.
	URL         string
	WebhookOnly bool
	CABundle    []byte
	TLS         string // TLSGenerate (default), TLSCertManager or TLSSelfSigned
	// FailurePolicy is Fail (the default: if no replica answers, covered
	// requests are refused) or Ignore (they are let through unchecked).
	FailurePolicy  string
	TimeoutSeconds int32
	// Exclusions on top of the defaults.
	ExcludeNamespaces, ExcludeUsers, ExcludeGroups []string
	// SetKinds are the kinds whole-set rules read: cached by the webhook
	// (those in admission.CacheKinds) and sent on DELETE.
	SetKinds []string
	// Extra are resources beyond admission.Resources that the policy's
	// custom rules read.
	Extra []admission.Resource
}

// WithDefaults fills zero fields.
func (s Spec) WithDefaults() Spec {
	if s.Namespace == "" {
		s.Namespace = DefaultNamespace
	}
	if s.Name == "" {
		s.Name = DefaultName
	}
	if s.Replicas == 0 {
		s.Replicas = 2
	}
	if s.FailurePolicy == "" {
		s.FailurePolicy = string(admissionregv1.Fail)
	}
	if s.TimeoutSeconds == 0 {
		s.TimeoutSeconds = 5
	}
	if s.URL != "" {
		s.WebhookOnly = true
	}
	if s.TLS == "" {
		s.TLS = TLSGenerate
	}
	return s
}

// Validate reports a spec that cannot be installed.
func (s Spec) Validate() error {
	switch s.FailurePolicy {
	case string(admissionregv1.Fail), string(admissionregv1.Ignore):
	default:
		return fmt.Errorf("failure policy %q: want Fail or Ignore", s.FailurePolicy)
	}
	if s.TimeoutSeconds < 1 || s.TimeoutSeconds > 30 {
		return fmt.Errorf("timeout %ds: the API server allows 1 to 30 seconds", s.TimeoutSeconds)
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("webhook URL %q: want https://host[:port]/path", s.URL)
		}
	}
	switch s.TLS {
	case TLSGenerate, TLSCertManager, TLSSelfSigned:
	default:
		return fmt.Errorf("TLS mode %q: want %s, %s or %s", s.TLS, TLSGenerate, TLSCertManager, TLSSelfSigned)
	}
	if !s.WebhookOnly && s.Image == "" {
		return fmt.Errorf("no image for the webhook Deployment")
	}
	return nil
}

// ExcludedNamespaces are the defaults, the webhook's own namespace and the
// spec's, sorted and unique.
func (s Spec) ExcludedNamespaces() []string {
	return unique(append(append(append([]string{}, DefaultExcludedNamespaces...), s.Namespace), s.ExcludeNamespaces...))
}

// ExcludedUsers are the built-in controllers and the spec's users.
func (s Spec) ExcludedUsers() []string {
	return unique(append(append([]string{}, ControllerUsers...), s.ExcludeUsers...))
}

func unique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func (s Spec) labels() map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "bulwark",
		"app.kubernetes.io/instance":   s.Name,
		"app.kubernetes.io/component":  "webhook",
		"app.kubernetes.io/managed-by": "bulwark",
	}
}

func (s Spec) selector() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "bulwark", "app.kubernetes.io/instance": s.Name}
}

func (s Spec) meta(name string, namespaced bool) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: name, Labels: s.labels()}
	if namespaced {
		m.Namespace = s.Namespace
	}
	return m
}

// TLSSecretName is the Secret the self-signed bootstrap keeps the CA and
// serving certificate in.
func (s Spec) TLSSecretName() string { return s.Name + "-tls" }

// PolicyConfigMapName is the ConfigMap holding the policy.
func (s Spec) PolicyConfigMapName() string { return s.Name + "-policy" }

// ServiceHosts are the DNS names the API server uses for the Service.
func ServiceHosts(name, namespace string) []string {
	return []string{name, name + "." + namespace, name + "." + namespace + ".svc", name + "." + namespace + ".svc.cluster.local"}
}

// Objects returns everything to apply, in order, the webhook configuration
// last.
func (s Spec) Objects() []runtime.Object {
	out := []runtime.Object{s.namespace(), s.policyConfigMap()}
	if !s.WebhookOnly {
		out = append(out, s.workload()...)
	}
	return append(out, s.WebhookConfiguration())
}

func (s Spec) namespace() *corev1.Namespace {
	ns := &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"), ObjectMeta: metav1.ObjectMeta{Name: s.Namespace, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}}}
	return ns
}

func (s Spec) policyConfigMap() *corev1.ConfigMap {
	cm := &corev1.ConfigMap{TypeMeta: typeMeta("v1", "ConfigMap"), ObjectMeta: s.meta(s.PolicyConfigMapName(), true),
		Data: map[string]string{PolicyKey: string(s.Policy)}}
	cm.Annotations = map[string]string{DigestAnnotation: s.PolicyDigest}
	return cm
}

// WebhookConfiguration is the ValidatingWebhookConfiguration: one webhook
// for every covered resource on CREATE and UPDATE, and for the kinds
// whole-set rules read on DELETE; excluded namespaces by selector, excluded
// users and groups by match conditions; no side effects, so server-side
// dry-runs are sent too.
func (s Spec) WebhookConfiguration() *admissionregv1.ValidatingWebhookConfiguration {
	fp := admissionregv1.FailurePolicyType(s.FailurePolicy)
	none := admissionregv1.SideEffectClassNone
	equivalent := admissionregv1.Equivalent
	timeout := s.TimeoutSeconds
	cc := admissionregv1.WebhookClientConfig{CABundle: s.CABundle}
	if s.URL != "" {
		u := s.URL
		cc.URL = &u
	} else {
		path := ValidatePath
		port := int32(443)
		cc.Service = &admissionregv1.ServiceReference{Namespace: s.Namespace, Name: s.Name, Path: &path, Port: &port}
	}
	wh := admissionregv1.ValidatingWebhook{
		Name:                    WebhookName,
		ClientConfig:            cc,
		Rules:                   s.Rules(),
		FailurePolicy:           &fp,
		MatchPolicy:             &equivalent,
		SideEffects:             &none,
		TimeoutSeconds:          &timeout,
		AdmissionReviewVersions: []string{"v1"},
		NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: s.ExcludedNamespaces(),
		}}},
		MatchConditions: s.MatchConditions(),
	}
	vwc := &admissionregv1.ValidatingWebhookConfiguration{
		TypeMeta:   typeMeta("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
		ObjectMeta: s.meta(s.Name, false),
		Webhooks:   []admissionregv1.ValidatingWebhook{wh},
	}
	vwc.Annotations = map[string]string{DigestAnnotation: s.PolicyDigest}
	if s.TLS == TLSCertManager && !s.WebhookOnly {
		vwc.Annotations["cert-manager.io/inject-ca-from"] = s.Namespace + "/" + s.TLSSecretName()
	}
	return vwc
}

// Rules are the webhook's rules: covered resources by API group.
func (s Spec) Rules() []admissionregv1.RuleWithOperations {
	all := append(append([]admission.Resource{}, admission.Resources...), s.Extra...)
	// DELETE matters only where whole-set rules run at admission: the
	// kinds the webhook caches.
	del := map[string]bool{}
	for _, k := range s.SetKinds {
		del[k] = admission.CacheKinds[k]
	}
	return rulesFor(all, del)
}

func rulesFor(all []admission.Resource, deleteKinds map[string]bool) []admissionregv1.RuleWithOperations {
	type key struct {
		group  string
		delete bool
	}
	byKey := map[key][]string{}
	var keys []key
	for _, r := range all {
		k := key{r.Group, deleteKinds[r.Kind]}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		if !contains(byKey[k], r.Resource) {
			byKey[k] = append(byKey[k], r.Resource)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].group != keys[j].group {
			return keys[i].group < keys[j].group
		}
		return !keys[i].delete && keys[j].delete
	})
	scope := admissionregv1.AllScopes
	var out []admissionregv1.RuleWithOperations
	for _, k := range keys {
		ops := []admissionregv1.OperationType{admissionregv1.Create, admissionregv1.Update}
		if k.delete {
			ops = append(ops, admissionregv1.Delete)
		}
		res := byKey[k]
		sort.Strings(res)
		out = append(out, admissionregv1.RuleWithOperations{Operations: ops, Rule: admissionregv1.Rule{
			APIGroups: []string{k.group}, APIVersions: []string{"*"}, Resources: res, Scope: &scope,
		}})
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// MatchConditions exclude users and groups in the API server, before a
// request is sent.
func (s Spec) MatchConditions() []admissionregv1.MatchCondition {
	var out []admissionregv1.MatchCondition
	if users := s.ExcludedUsers(); len(users) > 0 {
		out = append(out, admissionregv1.MatchCondition{Name: "exclude-users",
			Expression: "!(request.userInfo.username in " + celList(users) + ")"})
	}
	if groups := unique(s.ExcludeGroups); len(groups) > 0 {
		out = append(out, admissionregv1.MatchCondition{Name: "exclude-groups",
			Expression: "!request.userInfo.groups.exists(g, g in " + celList(groups) + ")"})
	}
	return out
}

func celList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// WebhookArgs are the webhook container's arguments.
func (s Spec) WebhookArgs() []string {
	args := []string{"webhook", "--policy=" + PolicyMountDir + "/" + PolicyKey}
	if s.TLS == TLSSelfSigned {
		args = append(args, "--self-signed", "--namespace=$(POD_NAMESPACE)", "--service-name="+s.Name,
			"--webhook-config-name="+s.Name, "--tls-secret="+s.TLSSecretName())
	} else {
		args = append(args, "--tls-cert-file="+TLSMountDir+"/tls.crt", "--tls-private-key-file="+TLSMountDir+"/tls.key")
	}
	args = append(args, "--listen=:8443", "--metrics-listen=:8080")
	for _, ns := range s.ExcludedNamespaces() {
		args = append(args, "--exclude-namespace="+ns)
	}
	for _, u := range s.ExcludeUsers {
		args = append(args, "--exclude-user="+u)
	}
	for _, g := range s.ExcludeGroups {
		args = append(args, "--exclude-group="+g)
	}
	return args
}

// cacheRules are the read rights the informers need: list and watch of the
// cached resources, nothing else.
func (s Spec) cacheRules() []rbacv1.PolicyRule {
	byGroup := map[string][]string{}
	var groups []string
	for _, k := range s.SetKinds {
		if !admission.CacheKinds[k] {
			continue
		}
		r, ok := admission.ResourceFor(k)
		if !ok {
			continue
		}
		if _, seen := byGroup[r.Group]; !seen {
			groups = append(groups, r.Group)
		}
		byGroup[r.Group] = append(byGroup[r.Group], r.Resource)
	}
	sort.Strings(groups)
	var out []rbacv1.PolicyRule
	for _, g := range groups {
		res := unique(byGroup[g])
		out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: res, Verbs: []string{"list", "watch"}})
	}
	return out
}

func (s Spec) workload() []runtime.Object {
	sel := s.selector()
	saName := s.Name
	sa := &corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: s.meta(saName, true)}
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: saName, Namespace: s.Namespace}}
	rbacMeta := s.meta
	out := []runtime.Object{sa}
	if rules := s.cacheRules(); len(rules) > 0 {
		out = append(out,
			&rbacv1.ClusterRole{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"),
				ObjectMeta: rbacMeta(s.Name+"-cache", false), Rules: rules},
			&rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
				ObjectMeta: rbacMeta(s.Name+"-cache", false), Subjects: subject,
				RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: s.Name + "-cache"}})
	}
	if s.TLS == TLSSelfSigned {
		out = append(out, s.selfSignedRBAC(subject)...)
	}
	if s.TLS == TLSCertManager {
		out = append(out, s.certManager()...)
	}
	out = append(out, s.deployment(saName), s.service(),
		&policyv1.PodDisruptionBudget{TypeMeta: typeMeta("policy/v1", "PodDisruptionBudget"), ObjectMeta: s.meta(s.Name, true),
			Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptrTo(intstr.FromInt32(1)),
				Selector: &metav1.LabelSelector{MatchLabels: sel}}},
		s.networkPolicy())
	return out
}

func (s Spec) service() *corev1.Service {
	return &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: s.meta(s.Name, true),
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: s.selector(), Ports: []corev1.ServicePort{
			{Name: "https", Port: 443, TargetPort: intstr.FromString("https"), Protocol: corev1.ProtocolTCP},
			{Name: "metrics", Port: 8080, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP},
		}}}
}

func (s Spec) deployment(sa string) *appsv1.Deployment {
	sel := s.selector()
	uid := int64(65532)
	yes, no := true, false
	grace := int64(30)
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("metrics")}},
			PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 3}
	}
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("256Mi")},
	}
	pod := corev1.PodSpec{
		ServiceAccountName:            sa,
		AutomountServiceAccountToken:  &yes, // the informers and the TLS bootstrap call the API server
		TerminationGracePeriodSeconds: &grace,
		SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 100,
				PodAffinityTerm: corev1.PodAffinityTerm{TopologyKey: "kubernetes.io/hostname",
					LabelSelector: &metav1.LabelSelector{MatchLabels: sel}}}}}},
		Containers: []corev1.Container{{
			Name:  "webhook",
			Image: s.Image,
			Args:  s.WebhookArgs(),
			Env: []corev1.EnvVar{
				{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
				// The Go runtime collects before the container's memory limit.
				{Name: "GOMEMLIMIT", Value: "200MiB"},
			},
			Ports: []corev1.ContainerPort{{Name: "https", ContainerPort: 8443, Protocol: corev1.ProtocolTCP},
				{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
			ReadinessProbe: probe("/readyz"),
			LivenessProbe:  probe("/healthz"),
			Resources:      res,
			SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
				RunAsNonRoot: &yes, Privileged: &no,
				Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			VolumeMounts: []corev1.VolumeMount{{Name: "policy", MountPath: PolicyMountDir, ReadOnly: true}},
		}},
		Volumes: []corev1.Volume{{Name: "policy", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: s.PolicyConfigMapName()}}}}},
	}
	if s.TLS != TLSSelfSigned {
		mode := int32(0o440)
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "tls", MountPath: TLSMountDir, ReadOnly: true})
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: s.TLSSecretName(), DefaultMode: &mode}}})
	}
	replicas := s.Replicas
	maxUnavailable := intstr.FromInt32(0)
	meta := s.meta(s.Name, true)
	if s.TLS == TLSSelfSigned {
		meta.Annotations = map[string]string{"bulwark.dev/ignore": selfSignedAccepted}
	}
	return &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &maxUnavailable}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: s.labels()}, Spec: pod},
		}}
}

func (s Spec) networkPolicy() *networkingv1.NetworkPolicy {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := func(p int32, proto *corev1.Protocol) networkingv1.NetworkPolicyPort {
		v := intstr.FromInt32(p)
		return networkingv1.NetworkPolicyPort{Port: &v, Protocol: proto}
	}
	return &networkingv1.NetworkPolicy{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: s.meta(s.Name, true),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: s.selector()},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			// The API server's address is not known in advance: admission
			// calls may come from anywhere; metrics likewise for Prometheus.
			Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(8443, &tcp), port(8080, &tcp)}}},
			// Out: the API server (443 or 6443) and DNS only.
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{Ports: []networkingv1.NetworkPolicyPort{port(443, &tcp), port(6443, &tcp)}},
				{Ports: []networkingv1.NetworkPolicyPort{port(53, &udp), port(53, &tcp)}},
			},
		}}
}

func ptrTo[T any](v T) *T { return &v }

// selfSignedAccepted is the in-manifest exception on the self-signed
// bootstrap's RBAC: Bulwark's permission rules rightly report that whoever
// can update a webhook configuration can redirect admission traffic.
const selfSignedAccepted = "BW-RB-002, BW-RB-003, BW-RB-012, BW-RB-027, BW-RB-029: the self-signed TLS bootstrap " +
	"writes its CA into its own webhook configuration and keeps its certificate in its own Secret; " +
	"use TLS mode generate or cert-manager to run the webhook without these rights"

// selfSignedRBAC grants the self-signed bootstrap what it needs: its own
// Secret, and get/update of its own webhook configuration.
func (s Spec) selfSignedRBAC(subject []rbacv1.Subject) []runtime.Object {
	meta := func(name string, namespaced bool) metav1.ObjectMeta {
		m := s.meta(name, namespaced)
		m.Annotations = map[string]string{"bulwark.dev/ignore": selfSignedAccepted}
		return m
	}
	return []runtime.Object{
		&rbacv1.ClusterRole{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"),
			ObjectMeta: meta(s.Name+"-webhook-config", false),
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"admissionregistration.k8s.io"},
				Resources: []string{"validatingwebhookconfigurations"}, ResourceNames: []string{s.Name},
				Verbs: []string{"get", "update"}}}},
		&rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
			ObjectMeta: meta(s.Name+"-webhook-config", false), Subjects: subject,
			RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: s.Name + "-webhook-config"}},
		&rbacv1.Role{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"),
			ObjectMeta: meta(s.Name+"-tls", true),
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{s.TLSSecretName()}, Verbs: []string{"get", "update"}},
				// create cannot be limited by name; the bootstrap creates only its own Secret.
				{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create"}},
			}},
		&rbacv1.RoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"),
			ObjectMeta: meta(s.Name+"-tls", true), Subjects: subject,
			RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: s.Name + "-tls"}},
	}
}

// certManager are the cert-manager objects: a self-signed issuer makes a
// CA, a CA issuer signs the serving certificate into the Secret the pods
// mount, and cainjector copies the CA into the webhook configuration.
func (s Spec) certManager() []runtime.Object {
	obj := func(kind, name string, spec map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "cert-manager.io/v1", "kind": kind, "spec": spec}}
		u.SetName(name)
		u.SetNamespace(s.Namespace)
		u.SetLabels(s.labels())
		return u
	}
	hosts := make([]any, 0, 4)
	for _, h := range ServiceHosts(s.Name, s.Namespace)[1:] {
		hosts = append(hosts, h)
	}
	return []runtime.Object{
		obj("Issuer", s.Name+"-selfsigned", map[string]any{"selfSigned": map[string]any{}}),
		obj("Certificate", s.Name+"-ca", map[string]any{"isCA": true, "commonName": s.Name + "-webhook-ca",
			"secretName": s.Name + "-ca", "duration": "87600h",
			"privateKey": map[string]any{"algorithm": "ECDSA", "size": int64(256)},
			"issuerRef":  map[string]any{"name": s.Name + "-selfsigned", "kind": "Issuer"}}),
		obj("Issuer", s.Name+"-ca", map[string]any{"ca": map[string]any{"secretName": s.Name + "-ca"}}),
		obj("Certificate", s.TLSSecretName(), map[string]any{"secretName": s.TLSSecretName(), "dnsNames": hosts,
			"duration": "8760h", "renewBefore": "720h",
			"privateKey": map[string]any{"algorithm": "ECDSA", "size": int64(256), "rotationPolicy": "Always"},
			"issuerRef":  map[string]any{"name": s.Name + "-ca", "kind": "Issuer"}}),
	}
}
