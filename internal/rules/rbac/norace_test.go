//go:build !race

package rbacrules

const raceEnabled = false
