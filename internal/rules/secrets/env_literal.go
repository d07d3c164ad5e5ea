package secrets

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// envLiteral checks the env entries and command-line flags of every
// container (init, regular and ephemeral) of every pod an object runs:
// Pods, the built-in workloads, CronJobs, Argo Rollouts and custom
// resources of that shape. A literal value is reported when its name says
// it is a credential (DB_PASSWORD, API_KEY, GITHUB_TOKEN, SENTRY_DSN,
// --db-password) or when the value itself is one (a provider token, a URL
// with user:password@), whatever the name. Allowed: valueFrom references
// (secretKeyRef, configMapKeyRef), envFrom, $(VAR) expansion, templates and
// placeholders, and values that are plainly configuration under a
// credential-like name (a path, a duration, a number, an object name).
var envLiteral = &objectRule{
	Meta: meta("BW-SE-003", "env-literal-secret", "Container environment holds a literal credential", rule.High,
		"A credential written as a literal env value is committed with the workload, printed by kubectl describe "+
			"and get -o yaml, readable by anyone who can read the workload (a far wider group than those who may read "+
			"Secrets), and kept in every ReplicaSet revision and in the last-applied annotation.",
		"Move the value into a Secret delivered by a secret manager (External Secrets, SOPS, Sealed Secrets) and "+
			"reference it with valueFrom.secretKeyRef, or mount it as a file; for flags, read the value from a file or an "+
			"environment variable set that way."+deliver,
		"https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data",
		"https://docs.kubelinter.io/#/generated/checks?id=env-var-secret"),
	Applies: func(obj *manifest.Object) bool { return obj.MayRunPods() },
	Check: func(s *scope) {
		pt, err := s.obj.PodTemplate()
		if err != nil || pt == nil {
			return
		}
		groups := []struct {
			field string
			list  []corev1.Container
		}{{"initContainers", pt.Spec.InitContainers}, {"containers", pt.Spec.Containers}}
		for _, g := range groups {
			for i, c := range g.list {
				s.container(fmt.Sprintf("%s.%s[%d]", pt.SpecPath, g.field, i), c.Name, c.Env, c.Command, c.Args)
			}
		}
		for i, c := range pt.Spec.EphemeralContainers {
			s.container(fmt.Sprintf("%s.ephemeralContainers[%d]", pt.SpecPath, i), c.Name, c.Env, c.Command, c.Args)
		}
	},
}

// container judges one container's env literals and flags.
func (s *scope) container(path, name string, env []corev1.EnvVar, command, args []string) {
	for j, e := range env {
		if e.ValueFrom != nil || e.Value == "" {
			continue
		}
		p := fmt.Sprintf("%s.env[%d].value", path, j)
		s.cover(nil, s.obj.Node(p))
		s.value(val{path: p, where: fmt.Sprintf("container %q env %s", name, e.Name), name: e.Name,
			value: e.Value, named: secretName(e.Name), loose: true})
	}
	for _, list := range []struct {
		field string
		argv  []string
	}{{"command", command}, {"args", args}} {
		for j, a := range list.argv {
			flag, value, ok := flagValue(list.argv, j)
			if !ok {
				continue
			}
			p := fmt.Sprintf("%s.%s[%d]", path, list.field, j)
			if strings.Contains(a, "=") || j+1 >= len(list.argv) {
				s.cover(nil, s.obj.Node(p))
			} else {
				s.cover(nil, s.obj.Node(fmt.Sprintf("%s.%s[%d]", path, list.field, j+1)))
			}
			s.value(val{path: p, where: fmt.Sprintf("container %q flag %s", name, flag), name: flag,
				value: value, named: secretName(flag), loose: true})
		}
	}
}

// flagValue reads "--name=value", or "--name value" when the flag's name
// says it takes a credential.
func flagValue(argv []string, i int) (flag, value string, ok bool) {
	a := argv[i]
	if !strings.HasPrefix(a, "-") {
		return "", "", false
	}
	if name, v, found := strings.Cut(a, "="); found {
		return name, v, true
	}
	if i+1 < len(argv) && secretName(a) && !strings.HasPrefix(argv[i+1], "-") {
		return a, argv[i+1], true
	}
	return "", "", false
}
