//go:build race

package rbacrules

// raceEnabled: the race detector slows everything down ten times, so
// timing bounds do not hold.
const raceEnabled = true
