package admission

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

// TLSConfig is the serving configuration: TLS 1.2 or newer, AEAD cipher
// suites with forward secrecy for 1.2, and the certificate from certs, read
// on every handshake so a rotation takes effect for the next connection.
func TLSConfig(certs CertSource) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		GetCertificate: certs.GetCertificate,
	}
}

// CertSource hands out the serving certificate.
type CertSource interface {
	GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error)
}

// StaticCert serves one certificate (the self-signed bootstrap, tests).
type StaticCert struct {
	cert atomic.Pointer[tls.Certificate]
}

// NewStaticCert wraps a certificate.
func NewStaticCert(c *tls.Certificate) *StaticCert {
	s := &StaticCert{}
	s.cert.Store(c)
	return s
}

// Set replaces the certificate.
func (s *StaticCert) Set(c *tls.Certificate) { s.cert.Store(c) }

// GetCertificate implements CertSource.
func (s *StaticCert) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := s.cert.Load(); c != nil {
		return c, nil
	}
	return nil, errNoCert
}

// CertReloader serves a certificate and key from files and reloads them when
// their content changes. It polls rather than watching inodes, because
// Kubernetes Secret volumes and cert-manager replace files by swapping a
// symlinked directory, which file watches miss. A half-written pair (new
// certificate, old key) fails to load and is retried at the next poll while
// the previous pair keeps serving.
type CertReloader struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
	sum               [sha256.Size]byte
	// OnReload is called after every load attempt (metrics, logs).
	OnReload func(notAfter time.Time, err error)
}

// NewCertReloader loads the pair once; it fails when the files cannot be used.
func NewCertReloader(certFile, keyFile string) (*CertReloader, error) {
	r := &CertReloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// GetCertificate implements CertSource.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := r.cur.Load(); c != nil {
		return c, nil
	}
	return nil, errNoCert
}

// Current returns the certificate in use.
func (r *CertReloader) Current() *tls.Certificate { return r.cur.Load() }

// Reload reads the files and swaps the certificate in when they changed and
// form a valid pair. It reports whether a new certificate is in use.
func (r *CertReloader) Reload() (bool, error) {
	certPEM, err := os.ReadFile(r.certFile)
	if err != nil {
		return false, r.report(time.Time{}, fmt.Errorf("reading certificate: %w", err))
	}
	keyPEM, err := os.ReadFile(r.keyFile)
	if err != nil {
		return false, r.report(time.Time{}, fmt.Errorf("reading private key: %w", err))
	}
	sum := sha256.Sum256(append(append(bytes.Clone(certPEM), 0), keyPEM...))
	if sum == r.sum && r.cur.Load() != nil {
		return false, nil
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return false, r.report(time.Time{}, fmt.Errorf("loading %s and %s: %w", r.certFile, r.keyFile, err))
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return false, r.report(time.Time{}, err)
		}
	}
	r.sum = sum
	r.cur.Store(&cert)
	return true, r.report(cert.Leaf.NotAfter, nil)
}

func (r *CertReloader) report(notAfter time.Time, err error) error {
	if r.OnReload != nil {
		r.OnReload(notAfter, err)
	}
	return err
}

// Run polls the files until ctx ends.
func (r *CertReloader) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			changed, err := r.Reload()
			switch {
			case err != nil && log != nil:
				log.Warn("serving certificate not reloaded; the previous one stays in use", "error", err)
			case changed && log != nil:
				leaf := r.cur.Load().Leaf
				log.Info("serving certificate reloaded", "subject", leaf.Subject.String(), "notAfter", leaf.NotAfter)
			}
		}
	}
}

// errNoCert is returned when a handshake arrives before any certificate.
var errNoCert = errors.New("no serving certificate loaded")
