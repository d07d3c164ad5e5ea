//go:build tools

// Package tools pins the commands this module builds, so their dependencies
// stay in go.mod and go.sum.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
