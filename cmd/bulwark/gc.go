package main

import (
	"os"
	"runtime/debug"
)

// tuneGC trades a little memory for less collection work: a scan allocates
// many short-lived trees and keeps little. A GOGC the user set wins, and the
// soft memory limit keeps the trade bounded.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}
