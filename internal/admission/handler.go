package admission

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// MaxReviewBytes bounds a request body: the API server's own limit for an
// object is 3 MiB, and an UPDATE carries the old object too.
const MaxReviewBytes = 7 << 20

// Exclusions are requests the handler allows without evaluating them. The
// webhook configuration excludes the same namespaces and users, so these
// only matter when a configuration was written by hand; they are checked
// first and cost nothing.
type Exclusions struct {
	Namespaces []string // globs: kube-system, the webhook's own namespace
	Users      []string // globs over the request's username (a GitOps controller's identity)
	Groups     []string // exact group names
}

func (x *Exclusions) match(r *admissionv1.AdmissionRequest) string {
	for _, ns := range x.Namespaces {
		if r.Namespace != "" && glob(ns, r.Namespace) {
			return "namespace " + r.Namespace
		}
	}
	for _, u := range x.Users {
		if glob(u, r.UserInfo.Username) {
			return "user " + r.UserInfo.Username
		}
	}
	for _, g := range x.Groups {
		for _, have := range r.UserInfo.Groups {
			if g == have {
				return "group " + g
			}
		}
	}
	return ""
}

func glob(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return ok && err == nil
}

// Handler serves AdmissionReview v1 requests on /validate.
type Handler struct {
	Judge      *Judge
	State      ClusterState // cluster objects for whole-set rules; nil: none
	Exclusions Exclusions
	Metrics    *Metrics // nil: none
	Log        *slog.Logger
	Now        func() time.Time
	// MaxWarnings caps the admission warnings returned for one request (the
	// API server passes them to the client; kubectl prints each).
	MaxWarnings int
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ServeHTTP decodes the review, decides and writes the response. Malformed
// requests get HTTP 400; the API server then applies the failurePolicy.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		http.Error(w, "POST an AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		h.fail(w, http.StatusUnsupportedMediaType, "bad_content_type", "want Content-Type application/json, got "+ct)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, MaxReviewBytes+1)); err != nil {
		h.fail(w, http.StatusBadRequest, "read", "reading request: "+err.Error())
		return
	}
	if buf.Len() > MaxReviewBytes {
		h.fail(w, http.StatusRequestEntityTooLarge, "too_large", "AdmissionReview larger than the limit")
		return
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(buf.Bytes(), &review); err != nil {
		h.fail(w, http.StatusBadRequest, "decode", "decoding AdmissionReview: "+err.Error())
		return
	}
	req := review.Request
	if req == nil || req.UID == "" {
		h.fail(w, http.StatusBadRequest, "decode", "AdmissionReview has no request")
		return
	}
	ctx := r.Context()
	// The API server says how long it waits (?timeout=5s); a request that
	// cannot be decided by then is not worth deciding.
	if d, err := time.ParseDuration(r.URL.Query().Get("timeout")); err == nil && d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d*9/10)
		defer cancel()
	}
	resp, out := h.review(ctx, req)
	if resp == nil {
		if h.Metrics != nil {
			h.Metrics.observe(req, out, time.Since(start))
		}
		if out.verdict == "busy" {
			w.Header().Set("Retry-After", "1")
			h.fail(w, http.StatusTooManyRequests, "busy", out.reason)
			return
		}
		h.fail(w, http.StatusInternalServerError, "internal", out.reason)
		return
	}
	resp.UID = req.UID
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Response: resp,
	})
	if err != nil {
		h.fail(w, http.StatusInternalServerError, "encode", "encoding response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	elapsed := time.Since(start)
	if h.Metrics != nil {
		h.Metrics.observe(req, out, elapsed)
	}
	h.log(r.Context(), req, resp, out, elapsed)
}

// outcome is what the metrics and logs record about one request.
type outcome struct {
	verdict  string // allow, warn, block, excluded, skipped, error, busy
	kind     string
	findings []rule.Finding
	digest   string
	name     string // the object's name (the request's is empty on CREATE)
	reason   string // why excluded, skipped or errored
}

func (h *Handler) review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, outcome) {
	allow := &admissionv1.AdmissionResponse{Allowed: true}
	out := outcome{kind: req.Kind.Kind}
	if why := h.Exclusions.match(req); why != "" {
		out.verdict, out.reason = "excluded", why
		return allow, out
	}
	if req.SubResource != "" {
		out.verdict, out.reason = "skipped", "subresource "+req.SubResource
		return allow, out
	}
	ev := h.Judge.Current()
	out.digest = ev.Policy.Digest
	in := Input{Operation: string(req.Operation), Namespace: req.Namespace, Object: req.Object.Raw, Now: h.now(), Context: ctx}
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update:
	case admissionv1.Delete:
		if !ev.setKinds[req.Kind.Kind] || !CacheKinds[req.Kind.Kind] || len(req.OldObject.Raw) == 0 {
			out.verdict, out.reason = "skipped", "no rule reads deleted "+req.Kind.Kind
			return allow, out
		}
		in.Object = req.OldObject.Raw
	default:
		out.verdict, out.reason = "skipped", "operation "+string(req.Operation)
		return allow, out
	}
	if len(in.Object) == 0 {
		out.verdict, out.reason = "skipped", "no object"
		return allow, out
	}
	res, err := ev.Evaluate(in, h.State)
	if errors.Is(err, ErrBusy) {
		out.verdict, out.reason = "busy", err.Error()
		return nil, out
	}
	if errors.Is(err, ErrInternal) {
		out.verdict, out.reason = "error", err.Error()
		return nil, out // no decision: the failure policy applies
	}
	if err != nil {
		out.verdict, out.reason = "error", err.Error()
		return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusBadRequest, Reason: metav1.StatusReasonBadRequest,
			Message: "bulwark: " + err.Error(),
		}}, out
	}
	out.findings, out.name = res.Decision.Findings, res.Name
	resp := &admissionv1.AdmissionResponse{Allowed: true}
	resp.Warnings = h.warnings(res.Decision.Findings)
	switch res.Decision.Verdict {
	case policy.Block:
		out.verdict = "block"
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden,
			Message: DenyMessage(res, ev.Policy.Digest),
		}
	case policy.Warn:
		out.verdict = "warn"
	default:
		out.verdict = "allow"
	}
	resp.AuditAnnotations = map[string]string{"verdict": string(res.Decision.Verdict), "policy": ev.Policy.Digest}
	if ids := ruleIDs(res.Decision.Findings, rule.Block, rule.Warn); ids != "" {
		resp.AuditAnnotations["rules"] = ids
	}
	return resp, out
}

// maxDenyFindings bounds the findings a denial message lists.
const maxDenyFindings = 10

// DenyMessage lists the blocking findings: rule, field and reason, then the
// policy that decided, so `policy verify` can tell which policy is enforced.
func DenyMessage(res Result, digest string) string {
	var b strings.Builder
	b.WriteString("Bulwark policy blocks ")
	b.WriteString(res.Kind)
	b.WriteByte(' ')
	if res.Namespace != "" {
		b.WriteString(res.Namespace)
		b.WriteByte('/')
	}
	if res.Name != "" {
		b.WriteString(res.Name)
	} else {
		b.WriteString("(generated name)")
	}
	b.WriteString(": ")
	n := 0
	for _, f := range res.Decision.Findings {
		if f.Action != rule.Block {
			continue
		}
		if n == maxDenyFindings {
			n++
			continue
		}
		if n > 0 {
			b.WriteString("; ")
		}
		n++
		b.WriteString(f.ID)
		if where := findingWhere(f); where != "" {
			b.WriteString(" at ")
			b.WriteString(where)
		}
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	if more := countAction(res.Decision.Findings, rule.Block) - maxDenyFindings; more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	b.WriteString(" [policy ")
	b.WriteString(digest)
	b.WriteByte(']')
	return b.String()
}

func findingWhere(f rule.Finding) string {
	where := f.Location.FieldPath
	if f.Location.File == ClusterFile && f.Object != nil {
		obj := f.Object.Kind + " " + f.Object.Name
		if f.Object.Namespace != "" {
			obj = f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
		}
		if where == "" {
			return obj
		}
		return obj + " " + where
	}
	return where
}

func countAction(fs []rule.Finding, a rule.Action) int {
	n := 0
	for _, f := range fs {
		if f.Action == a {
			n++
		}
	}
	return n
}

// maxWarningLen keeps each warning within what clients display whole.
const maxWarningLen = 256

func (h *Handler) warnings(fs []rule.Finding) []string {
	limit := h.MaxWarnings
	if limit <= 0 {
		limit = 20
	}
	var out []string
	total := countAction(fs, rule.Warn)
	for _, f := range fs {
		if f.Action != rule.Warn {
			continue
		}
		if len(out) == limit-1 && total > limit {
			out = append(out, fmt.Sprintf("bulwark: and %d more warnings", total-len(out)))
			break
		}
		w := f.ID
		if where := findingWhere(f); where != "" {
			w += " at " + where
		}
		w += ": " + f.Message
		if len(w) > maxWarningLen {
			w = truncate(w, maxWarningLen-3) + "..."
		}
		out = append(out, w)
	}
	return out
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func ruleIDs(fs []rule.Finding, actions ...rule.Action) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, f := range fs {
		for _, a := range actions {
			if f.Action == a && !seen[f.ID] {
				seen[f.ID] = true
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(f.ID)
			}
		}
	}
	return b.String()
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) fail(w http.ResponseWriter, code int, reason, msg string) {
	if h.Metrics != nil {
		h.Metrics.errors.WithLabelValues(reason).Inc()
	}
	if h.Log != nil {
		h.Log.Warn("bad admission request", "reason", reason, "error", msg)
	}
	http.Error(w, msg, code)
}

// log records the decision: identities and rule IDs, never object content
// or finding messages, which may quote values.
func (h *Handler) log(ctx context.Context, req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse, out outcome, elapsed time.Duration) {
	if h.Log == nil {
		return
	}
	level := slog.LevelDebug
	switch out.verdict {
	case "block", "error":
		level = slog.LevelInfo
	}
	if !h.Log.Enabled(ctx, level) {
		return
	}
	dryRun := req.DryRun != nil && *req.DryRun
	attrs := []slog.Attr{
		slog.String("uid", string(req.UID)),
		slog.String("operation", string(req.Operation)),
		slog.String("kind", groupKind(req.Kind.Group, req.Kind.Kind)),
		slog.String("namespace", req.Namespace),
		slog.String("name", firstOf(req.Name, out.name)),
		slog.String("user", req.UserInfo.Username),
		slog.Bool("dryRun", dryRun),
		slog.Bool("allowed", resp.Allowed),
		slog.String("verdict", out.verdict),
		slog.Duration("elapsed", elapsed),
	}
	if ids := ruleIDs(out.findings, rule.Block); ids != "" {
		attrs = append(attrs, slog.String("blocked", ids))
	}
	if ids := ruleIDs(out.findings, rule.Warn); ids != "" {
		attrs = append(attrs, slog.String("warned", ids))
	}
	if out.reason != "" {
		attrs = append(attrs, slog.String("reason", out.reason))
	}
	if out.digest != "" && level > slog.LevelDebug {
		attrs = append(attrs, slog.String("policy", out.digest))
	}
	h.Log.LogAttrs(ctx, level, "admission review", attrs...)
}

func groupKind(group, kind string) string {
	if group == "" {
		return kind
	}
	return kind + "." + group
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
