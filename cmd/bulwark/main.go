// Command bulwark is the security gate for GitOps repositories and clusters.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bulwark-dev/bulwark/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.OSStreams(), os.Args[1:])
	stop()
	os.Exit(code)
}
