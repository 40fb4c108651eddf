//go:build !unix

package emulator

import "errors"

// makeFIFO: no named pipes in the file system here.
func makeFIFO(string) error { return errors.ErrUnsupported }
