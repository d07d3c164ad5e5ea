package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bulwark-dev/bulwark/internal/admission"
)

// Keys of the self-signed bootstrap's Secret (a kubernetes.io/tls Secret
// plus the CA, so any replica can renew the serving certificate).
const (
	SecretCACert = "ca.crt"
	SecretCAKey  = "ca.key"
)

// Validity of what the bootstrap makes, and when it renews.
const (
	caValidity    = 10 * 365 * 24 * time.Hour
	certValidity  = 365 * 24 * time.Hour
	renewBefore   = 30 * 24 * time.Hour
	reconcileStep = 30 * time.Second
)

// SelfSigned bootstraps the webhook's TLS without cert-manager: it keeps a
// CA and a serving certificate in a Secret in the webhook's namespace (the
// first replica creates it, the others read it), writes the CA into the
// webhook configuration's caBundle, and keeps both current.
type SelfSigned struct {
	Clients       *Clients
	Namespace     string
	Secret        string
	WebhookConfig string   // ValidatingWebhookConfiguration name
	Hosts         []string // names and addresses the certificate is for
	Certs         *admission.StaticCert
	Metrics       *admission.Metrics
	Log           *slog.Logger
	caPEM         []byte
}

// Ensure loads or creates the Secret, renews a certificate near expiry and
// puts the certificate in Certs.
func (s *SelfSigned) Ensure(ctx context.Context) error {
	secrets := s.Clients.Kube.CoreV1().Secrets(s.Namespace)
	for attempt := 0; attempt < 5; attempt++ {
		sec, err := secrets.Get(ctx, s.Secret, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			sec, err = s.newSecret()
			if err != nil {
				return err
			}
			_, err = secrets.Create(ctx, sec, metav1.CreateOptions{FieldManager: FieldManager})
			if apierrors.IsAlreadyExists(err) {
				continue // another replica was first: use its Secret
			}
			if err != nil {
				return fmt.Errorf("creating Secret %s/%s: %w", s.Namespace, s.Secret, err)
			}
			s.log().Info("self-signed TLS: created CA and serving certificate", "secret", s.Secret)
		case err != nil:
			return fmt.Errorf("reading Secret %s/%s: %w", s.Namespace, s.Secret, err)
		default:
			if renewed, rerr := s.renewIfNeeded(sec); rerr != nil {
				return rerr
			} else if renewed {
				if _, err := secrets.Update(ctx, sec, metav1.UpdateOptions{FieldManager: FieldManager}); apierrors.IsConflict(err) {
					continue
				} else if err != nil {
					return fmt.Errorf("renewing the certificate in Secret %s/%s: %w", s.Namespace, s.Secret, err)
				}
				s.log().Info("self-signed TLS: renewed the serving certificate", "secret", s.Secret)
			}
		}
		return s.use(sec)
	}
	return fmt.Errorf("the Secret %s/%s keeps changing under us", s.Namespace, s.Secret)
}

func (s *SelfSigned) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *SelfSigned) newSecret() (*corev1.Secret, error) {
	ca, err := admission.NewCA("bulwark-webhook-ca", caValidity)
	if err != nil {
		return nil, err
	}
	cert, key, err := ca.Issue(s.Hosts, certValidity)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: s.Secret, Namespace: s.Namespace,
			Labels: map[string]string{"app.kubernetes.io/name": "bulwark", "app.kubernetes.io/component": "webhook-tls"}},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: cert, corev1.TLSPrivateKeyKey: key, SecretCACert: ca.CertPEM, SecretCAKey: ca.KeyPEM},
	}, nil
}

// renewIfNeeded reissues the serving certificate in sec when it expires
// soon, no longer chains to the CA, or lacks one of the hosts.
func (s *SelfSigned) renewIfNeeded(sec *corev1.Secret) (bool, error) {
	ca, err := admission.ParseCA(sec.Data[SecretCACert], sec.Data[SecretCAKey])
	if err != nil {
		return false, fmt.Errorf("the Secret %s/%s: %w (delete it to start over)", s.Namespace, s.Secret, err)
	}
	if time.Until(ca.Cert.NotAfter) < renewBefore {
		fresh, err := s.newSecret()
		if err != nil {
			return false, err
		}
		sec.Data = fresh.Data
		return true, nil
	}
	ok := time.Now().Add(renewBefore).Before(leafNotAfter(sec.Data[corev1.TLSCertKey]))
	for _, h := range s.Hosts {
		ok = ok && admission.VerifyServing(ca.CertPEM, sec.Data[corev1.TLSCertKey], h) == nil
	}
	if ok {
		return false, nil
	}
	cert, key, err := ca.Issue(s.Hosts, certValidity)
	if err != nil {
		return false, err
	}
	sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey] = cert, key
	return true, nil
}

func leafNotAfter(certPEM []byte) time.Time {
	if c, err := parseFirstCert(certPEM); err == nil {
		return c.NotAfter
	}
	return time.Time{}
}

// parseFirstCert reads the first certificate of a PEM bundle.
func parseFirstCert(data []byte) (*x509.Certificate, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM certificate")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

func (s *SelfSigned) use(sec *corev1.Secret) error {
	cert, err := tls.X509KeyPair(sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return fmt.Errorf("the Secret %s/%s: %w", s.Namespace, s.Secret, err)
	}
	if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
		return err
	}
	if cur, _ := s.Certs.GetCertificate(nil); cur == nil || !bytes.Equal(cur.Certificate[0], cert.Certificate[0]) {
		s.Certs.Set(&cert)
		s.Metrics.CertLoaded(cert.Leaf.NotAfter, nil)
	}
	s.caPEM = sec.Data[SecretCACert]
	return nil
}

// CABundle is the CA in use.
func (s *SelfSigned) CABundle() []byte { return s.caPEM }

// errNoWebhookConfig means the webhook configuration is not installed yet.
var errNoWebhookConfig = errors.New("webhook configuration not found")

// PatchCABundle writes the CA into every webhook of the configuration that
// has a different caBundle. It reports whether it changed anything.
func (s *SelfSigned) PatchCABundle(ctx context.Context) (bool, error) {
	if s.WebhookConfig == "" || len(s.caPEM) == 0 {
		return false, nil
	}
	api := s.Clients.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	for attempt := 0; attempt < 5; attempt++ {
		vwc, err := api.Get(ctx, s.WebhookConfig, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, errNoWebhookConfig
		}
		if err != nil {
			return false, err
		}
		changed := false
		for i := range vwc.Webhooks {
			if !bytes.Equal(vwc.Webhooks[i].ClientConfig.CABundle, s.caPEM) {
				vwc.Webhooks[i].ClientConfig.CABundle = s.caPEM
				changed = true
			}
		}
		if !changed {
			return false, nil
		}
		_, err = api.Update(ctx, vwc, metav1.UpdateOptions{FieldManager: FieldManager + "-webhook"})
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("writing the CA bundle into %s: %w", s.WebhookConfig, err)
		}
		s.log().Info("self-signed TLS: CA bundle written into the webhook configuration", "webhookConfiguration", s.WebhookConfig)
		return true, nil
	}
	return false, fmt.Errorf("webhook configuration %s keeps changing under us", s.WebhookConfig)
}

// Run keeps the certificate and the CA bundle current until ctx ends: it
// picks up a renewal by another replica, renews near expiry, and restores
// a caBundle that an upgrade or a person overwrote.
func (s *SelfSigned) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = reconcileStep
	}
	t := time.NewTicker(every)
	defer t.Stop()
	missing := false
	for {
		if err := s.Ensure(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("self-signed TLS: certificate not refreshed", "error", err)
		}
		if _, err := s.PatchCABundle(ctx); err != nil && ctx.Err() == nil {
			if errors.Is(err, errNoWebhookConfig) {
				if !missing {
					s.log().Info("self-signed TLS: webhook configuration not installed yet", "webhookConfiguration", s.WebhookConfig)
				}
				missing = true
			} else {
				s.log().Warn("self-signed TLS: CA bundle not written", "error", err)
			}
		} else {
			missing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
