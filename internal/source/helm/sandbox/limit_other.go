//go:build !linux

package sandbox

import (
	"errors"
	"syscall"
)

// Supported reports whether renders can run in a memory-capped child here:
// only on Linux, where the address space limit is enforced. Elsewhere
// charts render in-process and their memory is not bounded.
const Supported = false

func limitMemory(int64) error { return errors.New("memory limits are supported on Linux only") }

func childAttr() *syscall.SysProcAttr { return nil }
