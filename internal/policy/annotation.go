package policy

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"time"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// ignore is one entry of a bulwark.dev/ignore annotation.
type ignore struct {
	reason  string
	expires time.Time
}

func (i ignore) expiresText() string {
	if i.expires.IsZero() {
		return ""
	}
	return i.expires.Format("2006-01-02")
}

var expiresSuffix = regexp.MustCompile(`\s*[\[(]?\s*(?:expires|until)[=: ]\s*(\d{4}-\d{2}-\d{2})\s*[\])]?\s*$`)

// parseIgnore reads the annotation's entries, one per line:
//
//	bulwark.dev/ignore: |
//	  BW-PS-003, BW-SC-005: node agent needs the host log directory (expires=2027-03-31)
//	  pss-seccomp-required: vendor image, tracked in OPS-123
//
// and returns the entry that names the finding's rule. An entry without a
// reason is not honoured: every exception must say why.
func parseIgnore(annotation string, f *rule.Finding) (ignore, bool) {
	for _, line := range strings.Split(annotation, "\n") {
		rules, reason, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		var ig ignore
		if m := expiresSuffix.FindStringSubmatchIndex(reason); m != nil {
			t, err := time.Parse("2006-01-02", reason[m[2]:m[3]])
			if err != nil {
				continue
			}
			ig.expires = t
			reason = reason[:m[0]]
		}
		ig.reason = strings.TrimSpace(reason)
		if ig.reason == "" {
			continue
		}
		for _, r := range strings.Split(rules, ",") {
			if ruleMatches(strings.TrimSpace(r), f) {
				return ig, true
			}
		}
	}
	return ignore{}, false
}

func hash32(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:16]
}
