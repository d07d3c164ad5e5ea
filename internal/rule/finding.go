package rule

// Finding is one reported risk: the contract's finding record. Checks make
// Hits; the engine makes Findings; the policy sets Action and Exception.
type Finding struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Category    Category   `json:"category"`
	Severity    Severity   `json:"severity"`
	Action      Action     `json:"action"`
	Message     string     `json:"message"`
	Object      *ObjectRef `json:"object,omitempty"`
	Location    Location   `json:"location"`
	Origin      *Origin    `json:"origin,omitempty"`
	Evidence    string     `json:"evidence,omitempty"`
	Fingerprint string     `json:"fingerprint"`
	Remediation string     `json:"remediation"`
	References  []string   `json:"references"`
	PSS         *PSS       `json:"pss,omitempty"`
	Commit      *Commit    `json:"commit,omitempty"`
	Exception   *Exception `json:"exception,omitempty"`
	// SecretID is the keyed fingerprint of the secret a secrets finding is
	// about (never the value), so that one secret two checks find in one
	// file is reported once; not reported.
	SecretID string `json:"-"`
}

// ObjectRef identifies a Kubernetes object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	// Labels and Ignore (the bulwark.dev/ignore annotation) let the policy
	// select objects and honour in-manifest exceptions; not reported.
	Labels map[string]string `json:"-"`
	Ignore string            `json:"-"`
}

// Location is where a person goes to fix the finding.
type Location struct {
	File      string   `json:"file"`
	Line      int      `json:"line,omitempty"`
	Column    int      `json:"column,omitempty"`
	FieldPath string   `json:"fieldPath,omitempty"`
	Chain     []string `json:"renderChain,omitempty"`
}

// Origin is the GitOps app that deploys the object a finding is about (or
// whose render failed), so findings in a shared chart or base are told
// apart by the app that ships them. Absent when no app is involved.
type Origin struct {
	App  string `json:"app"`            // namespace/name, as Argo CD and Flux name apps; name alone without a namespace
	Kind string `json:"kind"`           // Application (Argo CD), Kustomization or HelmRelease (Flux)
	File string `json:"file,omitempty"` // the file that defines the app
}

// Commit places a finding in Git history.
type Commit struct {
	SHA         string `json:"sha"`
	Author      string `json:"author,omitempty"`
	Date        string `json:"date,omitempty"`
	StillAtHead bool   `json:"stillAtHead"`
}

// Exception records the policy exception or annotation that ignored a finding.
type Exception struct {
	Source  string `json:"source"` // policy file or annotation
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	Expired bool   `json:"expired,omitempty"`
}
