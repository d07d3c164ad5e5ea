// Package secret finds credentials in arbitrary bytes: private keys, cloud
// and SaaS tokens, JWTs, passwords in URLs and secret-named assignments. It
// knows nothing about Kubernetes; the structural rules that decode Secret
// data, kubeconfigs and env entries call it on what they extract and reuse
// its helpers (IsPlaceholder, WeakDefault, Entropy, Redact, Fingerprint).
//
// Rules are data (see Rules). A scan is one case-insensitive pass over the
// input for every rule's keywords (bytesearch.Set), followed by each hit
// rule's regex on a small window around its hits; entropy and
// allowlists then drop stand-ins, templates and references. Most input
// contains no keyword at all, so the scan costs about as much as the
// keyword pass.
//
// A Match never prints its secret: Value formats and marshals redacted, and
// fingerprints are keyed HMACs, stable across runs.
package secret
