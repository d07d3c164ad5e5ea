package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Step is one check of `policy verify`: what was checked, whether it
// holds, what was seen, and what to do when it does not.
type Step struct {
	Name   string
	OK     bool
	Detail string
	Fix    string
}

// Report is every step, in order.
type Report struct{ Steps []Step }

// OK reports whether every step holds.
func (r *Report) OK() bool {
	for _, s := range r.Steps {
		if !s.OK {
			return false
		}
	}
	return len(r.Steps) > 0
}

func (r *Report) add(s Step) { r.Steps = append(r.Steps, s) }

// VerifyOptions are what verify compares the cluster with.
type VerifyOptions struct {
	Spec      Spec                 // as installed: names, URL, failure policy, coverage
	Evaluator *admission.Evaluator // the local policy, compiled
	// ProbeNamespace is where the dry-run probes are sent; it must exist
	// and not be excluded.
	ProbeNamespace string
	// Wait bounds how long verify waits for the webhook to enforce the
	// local policy (a ConfigMap change reaches the pods within a minute or
	// so) before it reports the difference.
	Wait time.Duration
}

// Verify checks, step by step, that the webhook is installed, reachable,
// trusted, current and enforcing.
func Verify(ctx context.Context, c *Clients, opts VerifyOptions) *Report {
	spec := opts.Spec.WithDefaults()
	if opts.ProbeNamespace == "" {
		opts.ProbeNamespace = "default"
	}
	local := opts.Evaluator.Policy
	rep := &Report{}

	vwc, step := checkConfiguration(ctx, c, spec)
	rep.add(step)
	if vwc == nil {
		return rep
	}
	wh := FindWebhook(vwc)
	rep.add(checkCABundle(ctx, c, spec, wh))
	rep.add(checkPolicyConfigMap(ctx, c, spec, local))

	deadline := time.Now().Add(opts.Wait)
	for {
		answers, digest := checkAnswers(ctx, c, spec, wh)
		current := checkCurrent(digest, local.Digest, answers.OK)
		denied := checkBadProbe(ctx, c, opts.Evaluator, opts.ProbeNamespace)
		allowed := checkGoodProbe(ctx, c, opts.Evaluator, opts.ProbeNamespace)
		if (answers.OK && current.OK && denied.OK && allowed.OK) || !time.Now().Before(deadline) || ctx.Err() != nil {
			rep.add(answers)
			rep.add(current)
			rep.add(denied)
			rep.add(allowed)
			return rep
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

func checkConfiguration(ctx context.Context, c *Clients, spec Spec) (*admissionregv1.ValidatingWebhookConfiguration, Step) {
	st := Step{Name: "webhook configuration " + spec.Name + " is installed and targets the webhook"}
	reinstall := "run `bulwark policy install` again"
	vwc, err := c.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, spec.Name, metav1.GetOptions{})
	if err != nil {
		st.Detail = err.Error()
		st.Fix = "install it: `bulwark policy install`"
		return nil, st
	}
	wh := FindWebhook(vwc)
	if wh == nil {
		st.Detail = fmt.Sprintf("it has no webhook named %s", WebhookName)
		st.Fix = reinstall
		return nil, st
	}
	var problems []string
	cc := wh.ClientConfig
	if spec.URL != "" {
		if cc.URL == nil || *cc.URL != spec.URL {
			problems = append(problems, fmt.Sprintf("it calls %s, not %s", target(cc), spec.URL))
		}
	} else if s := cc.Service; s == nil || s.Namespace != spec.Namespace || s.Name != spec.Name || s.Path == nil || *s.Path != ValidatePath {
		problems = append(problems, fmt.Sprintf("it calls %s, not service %s/%s%s", target(cc), spec.Namespace, spec.Name, ValidatePath))
	}
	if wh.FailurePolicy == nil || string(*wh.FailurePolicy) != spec.FailurePolicy {
		problems = append(problems, fmt.Sprintf("failurePolicy is %s, want %s", deref(wh.FailurePolicy), spec.FailurePolicy))
	}
	if wh.SideEffects == nil || *wh.SideEffects != admissionregv1.SideEffectClassNone {
		problems = append(problems, "sideEffects is not None, so server-side dry runs would skip it")
	}
	if missing := uncovered(spec.Rules(), wh.Rules); len(missing) > 0 {
		shown := missing
		if len(shown) > 6 {
			shown = append(shown[:6:6], fmt.Sprintf("and %d more", len(missing)-6))
		}
		problems = append(problems, fmt.Sprintf("its rules leave out %d operations the policy needs: %s", len(missing), strings.Join(shown, ", ")))
	}
	if len(problems) > 0 {
		st.Detail = strings.Join(problems, "; ")
		st.Fix = reinstall + " to restore the configuration"
		return vwc, st
	}
	st.OK = true
	st.Detail = fmt.Sprintf("calls %s, failurePolicy %s, timeout %ds, %d rules", target(cc), deref(wh.FailurePolicy),
		derefInt(wh.TimeoutSeconds), len(wh.Rules))
	return vwc, st
}

func target(cc admissionregv1.WebhookClientConfig) string {
	if cc.URL != nil {
		return *cc.URL
	}
	if s := cc.Service; s != nil {
		path := ""
		if s.Path != nil {
			path = *s.Path
		}
		return "service " + s.Namespace + "/" + s.Name + path
	}
	return "nothing"
}

func deref[T ~string](p *T) string {
	if p == nil {
		return "(unset)"
	}
	return string(*p)
}

func derefInt(p *int32) int32 {
	if p == nil {
		return 10
	}
	return *p
}

// uncovered lists each resource and operation the expected rules send that
// the installed rules do not.
func uncovered(want, have []admissionregv1.RuleWithOperations) []string {
	var missing []string
	for _, w := range want {
		for _, g := range w.APIGroups {
			for _, r := range w.Resources {
				for _, op := range w.Operations {
					if !covers(have, g, r, op) {
						missing = append(missing, fmt.Sprintf("%s %s", op, groupResource(g, r)))
					}
				}
			}
		}
	}
	return missing
}

func groupResource(g, r string) string {
	if g == "" {
		return r
	}
	return r + "." + g
}

func covers(rules []admissionregv1.RuleWithOperations, group, res string, op admissionregv1.OperationType) bool {
	for _, r := range rules {
		if matchAny(r.APIGroups, group) && matchAny(r.Resources, res) && (opIn(r.Operations, op)) {
			return true
		}
	}
	return false
}

func matchAny(list []string, v string) bool {
	for _, x := range list {
		if x == "*" || x == v {
			return true
		}
	}
	return false
}

func opIn(ops []admissionregv1.OperationType, op admissionregv1.OperationType) bool {
	for _, o := range ops {
		if o == op || o == admissionregv1.OperationAll {
			return true
		}
	}
	return false
}

func checkCABundle(ctx context.Context, c *Clients, spec Spec, wh *admissionregv1.ValidatingWebhook) Step {
	st := Step{Name: "CA bundle matches the serving certificate"}
	ca := wh.ClientConfig.CABundle
	if len(ca) == 0 {
		st.Detail = "the webhook configuration has no caBundle"
		st.Fix = "the webhook's self-signed bootstrap writes it within a minute of starting; check the webhook's logs, or install with --ca-bundle-file"
		return st
	}
	if spec.URL != "" {
		host := HostOf(spec.URL)
		state, err := handshake(ctx, spec.URL, ca)
		if err != nil {
			st.Detail = fmt.Sprintf("TLS to %s with the configured CA bundle: %v", host, err)
			st.Fix = "the webhook serves a certificate from another CA: reinstall with the right --ca-bundle-file, or restart the webhook so that it writes its CA"
			return st
		}
		st.OK = true
		st.Detail = fmt.Sprintf("%s serves %q, valid until %s, signed by the configured CA", host,
			state.PeerCertificates[0].Subject.CommonName, state.PeerCertificates[0].NotAfter.Format(time.DateOnly))
		return st
	}
	sec, err := c.Kube.CoreV1().Secrets(spec.Namespace).Get(ctx, spec.TLSSecretName(), metav1.GetOptions{})
	if err != nil {
		st.Detail = fmt.Sprintf("reading the serving certificate: %v", err)
		st.Fix = fmt.Sprintf("the webhook keeps its certificate in Secret %s/%s; check that the webhook started", spec.Namespace, spec.TLSSecretName())
		return st
	}
	host := spec.Name + "." + spec.Namespace + ".svc"
	if err := admission.VerifyServing(ca, sec.Data[corev1.TLSCertKey], host); err != nil {
		st.Detail = fmt.Sprintf("the certificate in Secret %s/%s does not verify against the caBundle for %s: %v", spec.Namespace, spec.TLSSecretName(), host, err)
		st.Fix = "restart the webhook Deployment so that it writes its CA again, or reinstall"
		return st
	}
	st.OK = true
	leaf, _ := parseFirstCert(sec.Data[corev1.TLSCertKey])
	st.Detail = fmt.Sprintf("certificate for %s valid until %s chains to the caBundle", host, leaf.NotAfter.Format(time.DateOnly))
	return st
}

func handshake(ctx context.Context, rawURL string, ca []byte) (*tls.ConnectionState, error) {
	resp, err := get(ctx, rawURL, ca, "/healthz")
	if err != nil {
		return nil, err
	}
	return resp.TLS, nil
}

type httpResult struct {
	TLS  *tls.ConnectionState
	Code int
	Body string
}

// get calls a path next to the webhook URL, trusting only the CA bundle.
func get(ctx context.Context, rawURL string, ca []byte, path string) (*httpResult, error) {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("the CA bundle holds no certificate")
	}
	base := rawURL
	if i := strings.Index(strings.TrimPrefix(base, "https://"), "/"); i >= 0 {
		base = base[:len("https://")+i]
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return &httpResult{TLS: resp.TLS, Code: resp.StatusCode, Body: string(body)}, nil
}

// checkAnswers asks a replica for /readyz, which names the policy digest in
// force; it returns the digest.
func checkAnswers(ctx context.Context, c *Clients, spec Spec, wh *admissionregv1.ValidatingWebhook) (Step, string) {
	st := Step{Name: "the webhook answers"}
	var body string
	if spec.URL != "" {
		res, err := get(ctx, spec.URL, wh.ClientConfig.CABundle, "/readyz")
		if err != nil {
			st.Detail = err.Error()
			st.Fix = "start the webhook at " + spec.URL
			return st, ""
		}
		if res.Code != http.StatusOK {
			st.Detail = fmt.Sprintf("/readyz: %d %s", res.Code, strings.TrimSpace(res.Body))
			st.Fix = "check the webhook's logs"
			return st, ""
		}
		body = res.Body
		st.Detail = "ready at " + spec.URL
	} else {
		ready, err := readyEndpoints(ctx, c, spec)
		if err != nil || ready == 0 {
			st.Detail = fmt.Sprintf("service %s/%s has no ready endpoints", spec.Namespace, spec.Name)
			if err != nil {
				st.Detail += ": " + err.Error()
			}
			st.Fix = fmt.Sprintf("check the pods: `kubectl -n %s get pods -l app.kubernetes.io/name=bulwark` and their logs", spec.Namespace)
			return st, ""
		}
		raw, err := c.Kube.CoreV1().Services(spec.Namespace).ProxyGet("https", spec.Name, "443", "/readyz", nil).DoRaw(ctx)
		if err != nil {
			st.Detail = fmt.Sprintf("%d ready endpoints, but /readyz through the API server failed: %v", ready, err)
			st.Fix = "check the webhook's logs and any NetworkPolicy in front of it"
			return st, ""
		}
		body = string(raw)
		st.Detail = fmt.Sprintf("service %s/%s: %d ready endpoints, /readyz ok", spec.Namespace, spec.Name, ready)
	}
	st.OK = true
	fields := strings.Fields(body)
	if len(fields) == 2 && fields[0] == "ok" {
		return st, fields[1]
	}
	return st, ""
}

func readyEndpoints(ctx context.Context, c *Clients, spec Spec) (int, error) {
	list, err := c.Kube.DiscoveryV1().EndpointSlices(spec.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + spec.Name})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range list.Items {
		for _, e := range s.Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				n++
			}
		}
	}
	return n, nil
}

func checkPolicyConfigMap(ctx context.Context, c *Clients, spec Spec, local *policy.Policy) Step {
	st := Step{Name: "the policy in the cluster is the local policy"}
	if spec.URL != "" && spec.Namespace == "" {
		st.OK, st.Detail = true, "no policy ConfigMap (webhook outside the cluster)"
		return st
	}
	cm, err := c.Kube.CoreV1().ConfigMaps(spec.Namespace).Get(ctx, spec.PolicyConfigMapName(), metav1.GetOptions{})
	if err != nil {
		st.Detail = err.Error()
		st.Fix = "install the policy: `bulwark policy install --policy " + local.Source + "`"
		return st
	}
	p, err := policy.Parse("configmap "+spec.Namespace+"/"+spec.PolicyConfigMapName(), []byte(cm.Data[PolicyKey]))
	if err != nil {
		st.Detail = "the policy in the ConfigMap does not parse: " + err.Error()
		st.Fix = "reinstall: `bulwark policy install --policy " + local.Source + "`"
		return st
	}
	if p.Digest != local.Digest {
		st.Detail = fmt.Sprintf("ConfigMap %s/%s holds %s, the local policy %s is %s", spec.Namespace, spec.PolicyConfigMapName(), p.Digest, local.Source, local.Digest)
		st.Fix = "install the local policy: `bulwark policy install --policy " + local.Source + "`, or verify with the policy file that is meant to be installed"
		return st
	}
	st.OK = true
	st.Detail = fmt.Sprintf("ConfigMap %s/%s: %s", spec.Namespace, spec.PolicyConfigMapName(), p.Digest)
	return st
}

func checkCurrent(served, local string, answered bool) Step {
	st := Step{Name: "the webhook enforces the local policy"}
	switch {
	case !answered:
		st.Detail = "the webhook did not answer"
		st.Fix = "see the step above"
	case served == "":
		st.Detail = "the webhook did not report its policy"
		st.Fix = "upgrade the webhook to this version of Bulwark"
	case served != local:
		st.Detail = fmt.Sprintf("the webhook enforces %s, the local policy is %s", served, local)
		st.Fix = "a ConfigMap update reaches the pods within a minute or two; wait and verify again, or restart the webhook Deployment"
	default:
		st.OK = true
		st.Detail = served
	}
	return st
}

// checkBadProbe sends the first known-bad probe the local policy blocks as
// a server-side dry run and expects Bulwark's denial with the same rules
// and the local policy's digest.
func checkBadProbe(ctx context.Context, c *Clients, ev *admission.Evaluator, ns string) Step {
	st := Step{Name: "a known-bad object is denied by Bulwark"}
	var chosen *probe
	var want []string
	for _, p := range badProbes(ns) {
		res, err := ev.Evaluate(admission.Input{Operation: "CREATE", Namespace: ns, Object: p.json(), Now: time.Now()}, nil)
		if err != nil || res.Decision.Verdict != policy.Block {
			continue
		}
		p := p
		chosen = &p
		for _, f := range res.Decision.Findings {
			if f.Action == rule.Block {
				want = append(want, f.ID)
			}
		}
		break
	}
	if chosen == nil {
		st.Detail = "the local policy blocks none of the probes (privileged, host PID, root), so enforcement cannot be shown"
		st.Fix = "verify with a policy that blocks at least privileged containers"
		return st
	}
	_, err := c.Kube.AppsV1().Deployments(ns).Create(ctx, chosen.obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil {
		st.Detail = fmt.Sprintf("the API server admitted %s in namespace %s", chosen.what, ns)
		st.Fix = "Bulwark is not enforcing here: check the webhook configuration's rules, namespaceSelector and matchConditions (is this namespace or your user excluded?)"
		return st
	}
	msg := err.Error()
	if !strings.Contains(msg, `admission webhook "`+WebhookName+`" denied the request`) {
		st.Detail = fmt.Sprintf("%s was refused, but not by Bulwark: %s", chosen.what, msg)
		switch {
		case strings.Contains(msg, "failed calling webhook"):
			st.Fix = "the API server cannot call the webhook: check the CA bundle, the Service and the pods"
		case apierrors.IsNotFound(err):
			st.Fix = fmt.Sprintf("create namespace %s or choose another with --probe-namespace", ns)
		default:
			st.Fix = "choose a namespace where nothing else refuses the probe with --probe-namespace"
		}
		return st
	}
	var missing []string
	for _, id := range want {
		if !strings.Contains(msg, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		st.Detail = fmt.Sprintf("Bulwark denied %s, but without %s, which the local policy blocks: %s", chosen.what, strings.Join(missing, ", "), msg)
		st.Fix = "the webhook enforces another policy: install the local one"
		return st
	}
	st.OK = true
	st.Detail = fmt.Sprintf("%s denied (dry run) with %s", chosen.what, strings.Join(want, ", "))
	return st
}

func checkGoodProbe(ctx context.Context, c *Clients, ev *admission.Evaluator, ns string) Step {
	p := goodProbe(ns)
	st := Step{Name: "a known-good object is allowed"}
	res, err := ev.Evaluate(admission.Input{Operation: "CREATE", Namespace: ns, Object: p.json(), Now: time.Now()}, nil)
	if err != nil || res.Decision.Verdict == policy.Block {
		st.Detail = fmt.Sprintf("the local policy blocks %s (%s)", p.what, admission.DenyMessage(res, ev.Policy.Digest))
		st.Fix = "the policy blocks everything verify can send; check its thresholds"
		return st
	}
	_, err = c.Kube.AppsV1().Deployments(ns).Create(ctx, p.obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		st.Detail = fmt.Sprintf("%s was refused: %v", p.what, err)
		st.Fix = "if Bulwark refused it, the webhook enforces another policy; otherwise choose another --probe-namespace"
		return st
	}
	st.OK = true
	st.Detail = p.what + " allowed (dry run)"
	return st
}
