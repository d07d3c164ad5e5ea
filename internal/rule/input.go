package rule

// Rules the engine itself reports about its input. They are registered like
// any other rule so that policies, docs and reports treat them alike.
var (
	// UnreadableInput is a file or document that could not be read or parsed.
	UnreadableInput = &Meta{
		ID: "BW-IN-001", Name: "input-unreadable", Title: "Input could not be read or parsed",
		Severity: Medium, Category: Input,
		Why: "A manifest that cannot be read or parsed is not checked at all, so any risk in it goes unseen. " +
			"The API server would also reject it, or worse, a different tool in the pipeline may read it differently.",
		Remediation: "Fix the syntax or type error at the given line, or exclude the file with --exclude if it is not a manifest.",
		References:  []string{"https://yaml.org/spec/1.2.2/", "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation"},
	}
	// UnrenderedTemplate is a raw Helm or Go template found among manifests.
	UnrenderedTemplate = &Meta{
		ID: "BW-IN-002", Name: "input-template-not-rendered", Title: "Template was not rendered",
		Severity: Info, Category: Input,
		Why: "A raw Helm template is not what reaches the cluster: its real content depends on values and is only " +
			"known after rendering. Checking the raw text would give parse errors and false findings, so it is skipped.",
		Remediation: "Scan the chart with its values so that the rendered manifests are checked, or scan the output of `helm template`.",
		References:  []string{"https://helm.sh/docs/helm/helm_template/"},
	}
	// StaleException is a policy exception or baseline entry that matched nothing.
	StaleException = &Meta{
		ID: "BW-IN-003", Name: "policy-stale-exception", Title: "Policy exception or baseline entry matches nothing",
		Severity: Low, Category: Input,
		Why: "An exception that no longer matches anything is dead weight at best; at worst it is a typo that was " +
			"meant to cover a real finding, or it will silently start matching a new object with the same name later.",
		Remediation: "Remove the exception or baseline entry, or fix its rule and object selectors.",
		References:  []string{"https://github.com/bulwark-dev/bulwark/blob/main/docs/policy.md"},
	}
)

// InputRules lists the engine's and the policy's own rules.
func InputRules() []*Meta { return []*Meta{UnreadableInput, UnrenderedTemplate, StaleException} }
