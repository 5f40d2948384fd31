//go:build !linux && !darwin

package main

import "errors"

// raiseFileLimit is not supported here; the limit is unknown.
func raiseFileLimit() (uint64, error) {
	return 0, errors.New("not supported on this system")
}
