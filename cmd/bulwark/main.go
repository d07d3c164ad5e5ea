// Command bulwark is the security gate for GitOps repositories and clusters.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bulwark-dev/bulwark/internal/cli"
	"github.com/bulwark-dev/bulwark/internal/source/helm/sandbox"
)

func main() {
	sandbox.ServeIfChild() // started by a render pool: render, never run a command
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	s := cli.OSStreams()
	// Charts render in memory-capped children of this binary where the
	// platform can cap them (Linux), in-process elsewhere.
	pool, err := sandbox.NewPool(sandbox.Config{})
	if err == nil {
		s.HelmRenderer = pool
	}
	code := cli.Run(ctx, s, os.Args[1:])
	if pool != nil {
		pool.Close()
	}
	stop()
	os.Exit(code)
}
