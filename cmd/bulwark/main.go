// Command bulwark is the security gate for GitOps repositories and clusters.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/bulwark-dev/bulwark/internal/cli"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	s := cli.OSStreams()
	err := cli.NewRoot(s).ExecuteContext(ctx)
	stop()
	code := cli.CodeOf(err)
	if ee, ok := err.(*cli.ExitError); err != nil && (!ok || ee.Err != nil) {
		fmt.Fprintln(os.Stderr, "bulwark:", err)
	}
	os.Exit(code)
}
