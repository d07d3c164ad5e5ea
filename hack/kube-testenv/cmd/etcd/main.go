// Command etcd is the etcd server, built from the same module graph as the
// API server it backs in the end-to-end tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
