package custom

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/cel-go/cel"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// VAPKinds are the kinds a cluster's admission policies come in.
var VAPKinds = []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}

// vapViolation is the rule every offline ValidatingAdmissionPolicy verdict
// is reported under; its severity follows the binding's action.
var vapViolation = rule.Meta{
	ID: "BW-VA-001", Name: "vap-violation", Title: "Object violates a ValidatingAdmissionPolicy",
	Severity: rule.High, Category: rule.Custom,
	Why: "The cluster's own ValidatingAdmissionPolicy would reject (or warn about) this object. Finding it in CI " +
		"rather than at sync time keeps a GitOps agent from retrying a change the cluster will never accept, " +
		"and keeps the repository and the cluster's rules in agreement.",
	Remediation: "Change the object so that the policy's validation holds, or change the policy and its binding.",
	References: []string{"https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/",
		"https://kubernetes.io/docs/reference/using-api/cel/"},
}

// vap is one compiled policy with the actions of its bindings.
type vap struct {
	name        string
	rules       []admissionv1.NamedRuleWithOperations
	selector    labels.Selector // objectSelector
	conditions  []cel.Program
	variables   []namedProgram
	validations []validation
	actions     []admissionv1.ValidationAction
}

type namedProgram struct {
	name string
	prog cel.Program
}

type validation struct {
	prog    cel.Program
	message string
	msgExpr cel.Program
}

// VAPCheck evaluates ValidatingAdmissionPolicies offline against objects.
type VAPCheck struct {
	policies []*vap
}

// VAP compiles the policies and bindings among objs. A policy with no
// binding is evaluated as if bound with Deny when assumeBound is set (given
// explicitly with --vap); otherwise, as in a cluster, it does nothing.
// Policies that need parameters are skipped: their params live in the cluster.
func VAP(objs []*manifest.Object, assumeBound bool) (*VAPCheck, []error) {
	var errs []error
	byName := map[string]*vap{}
	var bindings []admissionv1.ValidatingAdmissionPolicyBinding
	env, err := newEnv(
		cel.Variable("object", cel.DynType), cel.Variable("oldObject", cel.DynType),
		cel.Variable("request", cel.DynType), cel.Variable("params", cel.DynType),
		cel.Variable("namespaceObject", cel.DynType), cel.Variable("authorizer", cel.DynType),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)),
	)
	if err != nil {
		return nil, []error{err}
	}
	compile := func(o *manifest.Object, expr string) cel.Program {
		ast, iss := env.Compile(expr)
		if iss.Err() != nil {
			errs = append(errs, &manifest.Error{File: o.File, Line: o.Line(), Msg: fmt.Sprintf("ValidatingAdmissionPolicy %s: %v", o.Name(), iss.Err())})
			return nil
		}
		prog, err := env.Program(ast, cel.CostLimit(10_000_000))
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		return prog
	}
	for _, o := range objs {
		switch o.Kind {
		case "ValidatingAdmissionPolicyBinding":
			var b admissionv1.ValidatingAdmissionPolicyBinding
			if o.Decode("", &b) == nil {
				bindings = append(bindings, b)
			}
		case "ValidatingAdmissionPolicy":
			var p admissionv1.ValidatingAdmissionPolicy
			if err := o.Decode("", &p); err != nil {
				errs = append(errs, err)
				continue
			}
			if p.Spec.ParamKind != nil {
				continue
			}
			v := &vap{name: p.Name, selector: labels.Everything()}
			if mc := p.Spec.MatchConstraints; mc != nil {
				v.rules = mc.ResourceRules
				if mc.ObjectSelector != nil {
					if sel, err := metav1.LabelSelectorAsSelector(mc.ObjectSelector); err == nil {
						v.selector = sel
					}
				}
			}
			for _, c := range p.Spec.MatchConditions {
				if prog := compile(o, c.Expression); prog != nil {
					v.conditions = append(v.conditions, prog)
				}
			}
			for _, vr := range p.Spec.Variables {
				if prog := compile(o, vr.Expression); prog != nil {
					v.variables = append(v.variables, namedProgram{vr.Name, prog})
				}
			}
			for _, val := range p.Spec.Validations {
				prog := compile(o, val.Expression)
				if prog == nil {
					continue
				}
				vl := validation{prog: prog, message: val.Message}
				if val.MessageExpression != "" {
					vl.msgExpr = compile(o, val.MessageExpression)
				}
				if vl.message == "" {
					vl.message = "failed expression: " + val.Expression
				}
				v.validations = append(v.validations, vl)
			}
			byName[p.Name] = v
		}
	}
	for _, b := range bindings {
		if v := byName[b.Spec.PolicyName]; v != nil {
			v.actions = append(v.actions, b.Spec.ValidationActions...)
		}
	}
	c := &VAPCheck{}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := byName[n]
		if len(v.actions) == 0 && assumeBound {
			v.actions = []admissionv1.ValidationAction{admissionv1.Deny}
		}
		if len(v.actions) > 0 {
			c.policies = append(c.policies, v)
		}
	}
	return c, errs
}

// Policies is the number of policies that will be evaluated.
func (c *VAPCheck) Policies() int { return len(c.policies) }

// Rules declares the single rule VAP verdicts are reported under.
func (c *VAPCheck) Rules() []*rule.Meta { return []*rule.Meta{&vapViolation} }

// CheckObject evaluates every policy whose match constraints select the
// object, as a CREATE request.
func (c *VAPCheck) CheckObject(obj *manifest.Object) []rule.Hit {
	var hits []rule.Hit
	var object map[string]any
	decoded := false
	for _, v := range c.policies {
		if !v.matches(obj) {
			continue
		}
		if !decoded {
			if err := obj.Decode("", &object); err != nil {
				return nil
			}
			decoded = true
		}
		hits = append(hits, v.evaluate(obj, object)...)
	}
	return hits
}

func (v *vap) matches(obj *manifest.Object) bool {
	if !v.selector.Matches(labels.Set(obj.StringMap("metadata.labels"))) {
		return false
	}
	group, version, _ := strings.Cut(obj.APIVersion, "/")
	if version == "" {
		group, version = "", group
	}
	resource := Resource(obj.Kind)
	for _, r := range v.rules {
		if anyOf(r.APIGroups, group) && anyOf(r.APIVersions, version) && anyOf(r.Resources, resource) && operationCreate(r.Operations) {
			return true
		}
	}
	return false
}

func (v *vap) evaluate(obj *manifest.Object, object map[string]any) []rule.Hit {
	vars := map[string]any{
		"object": object, "oldObject": nil, "params": nil, "namespaceObject": nil, "authorizer": nil,
		"request": map[string]any{
			"operation": "CREATE", "name": obj.Name(), "namespace": obj.Namespace(),
			"kind": map[string]any{"kind": obj.Kind}, "dryRun": false,
		},
	}
	variables := map[string]any{}
	vars["variables"] = variables
	for _, nv := range v.variables {
		if out, _, err := nv.prog.Eval(vars); err == nil {
			variables[nv.name] = out.Value()
		}
	}
	for _, c := range v.conditions {
		out, _, err := c.Eval(vars)
		if err != nil || out.Value() != true {
			return nil // a false or failing match condition skips the policy
		}
	}
	sev := rule.High
	if !containsAction(v.actions, admissionv1.Deny) {
		sev = rule.Medium // Warn or Audit only
	}
	var hits []rule.Hit
	for i, val := range v.validations {
		out, _, err := val.prog.Eval(vars)
		msg := val.message
		switch {
		case err != nil:
			msg = fmt.Sprintf("expression failed: %v", err)
		case out.Value() == true:
			continue
		case val.msgExpr != nil:
			if m, _, err := val.msgExpr.Eval(vars); err == nil {
				if s, ok := m.Value().(string); ok && s != "" {
					msg = s
				}
			}
		}
		hits = append(hits, rule.Hit{Rule: vapViolation.ID, Severity: sev, Key: fmt.Sprintf("%s/%d", v.name, i),
			Message: fmt.Sprintf("ValidatingAdmissionPolicy %s: %s", v.name, msg)})
	}
	return hits
}

func anyOf(list []string, s string) bool {
	for _, x := range list {
		if x == "*" || x == s || strings.HasSuffix(x, "/*") && strings.TrimSuffix(x, "/*") == s {
			return true
		}
	}
	return false
}

func operationCreate(ops []admissionv1.OperationType) bool {
	for _, op := range ops {
		if op == admissionv1.Create || op == admissionv1.OperationAll {
			return true
		}
	}
	return false
}

func containsAction(list []admissionv1.ValidationAction, a admissionv1.ValidationAction) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// irregular maps kinds whose resource name is not the regular plural.
var irregular = map[string]string{
	"Endpoints": "endpoints", "PodSecurityPolicy": "podsecuritypolicies", "NetworkPolicy": "networkpolicies",
	"Ingress": "ingresses", "IngressClass": "ingressclasses", "StorageClass": "storageclasses",
	"PriorityClass": "priorityclasses", "RuntimeClass": "runtimeclasses",
}

// Resource returns the API resource name of a kind, as discovery would.
func Resource(kind string) string {
	if r, ok := irregular[kind]; ok {
		return r
	}
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "s"), strings.HasSuffix(k, "x"), strings.HasSuffix(k, "ch"), strings.HasSuffix(k, "sh"):
		return k + "es"
	case strings.HasSuffix(k, "y") && len(k) > 1 && !strings.ContainsRune("aeiou", rune(k[len(k)-2])):
		return k[:len(k)-1] + "ies"
	}
	return k + "s"
}
