package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Supported reports whether renders can run in a memory-capped child here.
const Supported = true

// threadSlack is address space for the threads the runtime may still start
// (a few, each with its stack) beyond what the render allocates.
const threadSlack = 256 << 20

// limitMemory caps the process's address space at what it maps now plus
// budget: an allocation past it fails, and the runtime ends the process
// with an out-of-memory error the parent reports.
func limitMemory(budget int64) error {
	statm, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return err
	}
	pages, err := strconv.ParseInt(string(bytes.Fields(statm)[0]), 10, 64)
	if err != nil {
		return fmt.Errorf("/proc/self/statm: %w", err)
	}
	limit := uint64(pages*int64(os.Getpagesize()) + budget + threadSlack)
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit})
}

// childAttr ends a child with its parent, should the parent be killed.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
