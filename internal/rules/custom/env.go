package custom

import (
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apiserver/pkg/cel/library"
)

// newEnv is a CEL environment with the Kubernetes libraries that
// ValidatingAdmissionPolicy expressions use (lists, regex, URLs, quantities,
// IPs, CIDRs, formats, semver), so expressions written for a cluster run here
// unchanged.
func newEnv(opts ...cel.EnvOption) (*cel.Env, error) {
	base := []cel.EnvOption{
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		ext.Strings(ext.StringsVersion(2)),
		ext.Sets(),
		library.Lists(),
		library.Regex(),
		library.URLs(),
		library.Quantity(),
		library.IP(),
		library.CIDR(),
		library.Format(),
		library.SemverLib(),
	}
	return cel.NewEnv(append(base, opts...)...)
}
