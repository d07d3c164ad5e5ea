// Package custom turns a policy's CEL rules into checks. CEL is the language
// of Kubernetes ValidatingAdmissionPolicy: an expression over `object` that is
// true when the object is acceptable.
package custom

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// check is one compiled custom rule.
type check struct {
	meta  rule.Meta
	kinds map[string]bool
	prog  cel.Program
	msg   string
}

// Compile compiles every custom rule of a policy. Errors name the policy
// file, the rule's line and the position in the expression.
func Compile(source string, specs []policy.CustomRule) ([]rule.ObjectCheck, error) {
	env, err := newEnv(cel.Variable("object", cel.DynType))
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	var checks []rule.ObjectCheck
	var errs []error
	for _, s := range specs {
		ast, iss := env.Compile(s.Expression)
		if iss.Err() != nil {
			errs = append(errs, &manifest.Error{File: source, Line: s.Line,
				Msg: fmt.Sprintf("customRules %s: expression: %s", s.ID, strings.ReplaceAll(iss.Err().Error(), "\n", " "))})
			continue
		}
		if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
			errs = append(errs, &manifest.Error{File: source, Line: s.Line,
				Msg: fmt.Sprintf("customRules %s: expression must be a bool, is %s", s.ID, ast.OutputType())})
			continue
		}
		prog, err := env.Program(ast, cel.CostLimit(1_000_000))
		if err != nil {
			errs = append(errs, &manifest.Error{File: source, Line: s.Line, Msg: fmt.Sprintf("customRules %s: %v", s.ID, err)})
			continue
		}
		c := &check{prog: prog, msg: s.Message, kinds: map[string]bool{}}
		for _, k := range s.Kinds {
			c.kinds[k] = true
		}
		name := s.Name
		if name == "" {
			name = strings.ToLower(s.ID)
		}
		title := s.Title
		if title == "" {
			title = s.Message
		}
		remediation := s.Remediation
		if remediation == "" {
			remediation = "Change the object so that the policy's expression holds: " + s.Expression
		}
		c.meta = rule.Meta{
			ID: s.ID, Name: name, Title: title, Severity: s.Severity, Category: s.Category,
			Why:         fmt.Sprintf("Custom rule of the policy %s: objects must satisfy the CEL expression `%s`.", source, s.Expression),
			Remediation: remediation, References: []string{fmt.Sprintf("%s:%d", source, s.Line)},
		}
		checks = append(checks, c)
	}
	return checks, errors.Join(errs...)
}

func (c *check) Rules() []*rule.Meta { return []*rule.Meta{&c.meta} }

// CheckObject evaluates the expression; false, or an evaluation error such as
// a missing field, is a finding, so a rule never passes by accident.
func (c *check) CheckObject(obj *manifest.Object) []rule.Hit {
	if len(c.kinds) > 0 && !c.kinds[obj.Kind] {
		return nil
	}
	var object map[string]any
	if err := obj.Decode("", &object); err != nil {
		return nil // reported by the engine as an input error
	}
	out, _, err := c.prog.Eval(map[string]any{"object": object})
	if err != nil {
		return []rule.Hit{{Rule: c.meta.ID, Message: fmt.Sprintf("%s (expression failed: %v)", c.msg, err)}}
	}
	if ok, isBool := out.Value().(bool); isBool && ok {
		return nil
	}
	return []rule.Hit{{Rule: c.meta.ID, Message: c.msg}}
}
