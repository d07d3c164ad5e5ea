package admission

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server runs the webhook: /validate (and the health endpoints) over TLS,
// and /metrics, /healthz and /readyz over plain HTTP on a second address for
// Prometheus and the kubelet.
type Server struct {
	Addr        string // TLS address, e.g. :8443
	MetricsAddr string // plain HTTP address, e.g. :8080; "" serves nothing there
	Handler     *Handler
	Certs       CertSource
	Metrics     *Metrics
	Log         *slog.Logger
	// Ready reports what is not ready yet (the cluster cache syncing); nil
	// or a nil error means ready.
	Ready func() error
	// ShutdownDelay keeps serving, while /readyz fails, after the signal to
	// stop, so that endpoints stop routing to this replica before it closes;
	// ShutdownTimeout bounds the wait for requests in flight.
	ShutdownDelay, ShutdownTimeout time.Duration
	// OnListen is told the bound addresses (tests listen on port 0).
	OnListen func(tlsAddr, metricsAddr net.Addr)

	draining atomic.Bool
}

// Routes returns the TLS mux: /validate and the health endpoints.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/validate", s.Handler)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("/readyz", s.readyz)
	return mux
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if s.Handler == nil || s.Handler.Judge == nil || s.Handler.Judge.Current() == nil {
		http.Error(w, "no policy loaded", http.StatusServiceUnavailable)
		return
	}
	if s.Ready != nil {
		if err := s.Ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintf(w, "ok %s\n", s.Handler.Judge.Current().Policy.Digest)
}

// Run serves until ctx ends, then drains: /readyz fails at once, serving
// goes on for ShutdownDelay, and then the servers stop accepting and wait
// up to ShutdownTimeout for requests in flight.
func (s *Server) Run(ctx context.Context) error {
	lis, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.Addr, err)
	}
	var errLog = slog.NewLogLogger(s.logHandler(), slog.LevelInfo)
	main := &http.Server{
		Handler:           s.Routes(),
		TLSConfig:         TLSConfig(s.Certs),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          errLog,
	}
	servers := []*http.Server{main}
	var metricsLis net.Listener
	if s.MetricsAddr != "" {
		if metricsLis, err = net.Listen("tcp", s.MetricsAddr); err != nil {
			lis.Close()
			return fmt.Errorf("listening on %s: %w", s.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		if s.Metrics != nil {
			mux.Handle("/metrics", s.Metrics.Handler())
		}
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
		mux.HandleFunc("/readyz", s.readyz)
		servers = append(servers, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog})
	}
	if s.OnListen != nil {
		var ma net.Addr
		if metricsLis != nil {
			ma = metricsLis.Addr()
		}
		s.OnListen(lis.Addr(), ma)
	}
	errs := make(chan error, len(servers))
	var wg sync.WaitGroup
	serve := func(srv *http.Server, l net.Listener, useTLS bool) {
		defer wg.Done()
		var err error
		if useTLS {
			err = srv.ServeTLS(l, "", "") // certificates come from TLSConfig.GetCertificate
		} else {
			err = srv.Serve(l)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	}
	wg.Add(1)
	go serve(main, lis, true)
	if metricsLis != nil {
		wg.Add(1)
		go serve(servers[1], metricsLis, false)
	}
	if s.Log != nil {
		s.Log.Info("webhook serving", "addr", lis.Addr().String(), "metricsAddr", s.MetricsAddr)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	s.draining.Store(true)
	if runErr == nil && s.ShutdownDelay > 0 {
		if s.Log != nil {
			s.Log.Info("draining: readiness fails, still serving", "for", s.ShutdownDelay)
		}
		time.Sleep(s.ShutdownDelay)
	}
	timeout := s.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && runErr == nil {
			runErr = fmt.Errorf("shutting down: %w", err)
		}
	}
	wg.Wait()
	if s.Log != nil {
		s.Log.Info("webhook stopped")
	}
	return runErr
}

func (s *Server) logHandler() slog.Handler {
	if s.Log != nil {
		return s.Log.Handler()
	}
	return slog.DiscardHandler
}
