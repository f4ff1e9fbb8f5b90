//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// redirectStderr points file descriptor 2 at f and returns a function that
// points it back. Errors for the user keep going to the terminal through
// the package's stderr, a copy of the original descriptor.
func redirectStderr(f *os.File) (restore func(), err error) {
	saved, err := unix.Dup(2)
	if err != nil {
		return nil, err
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		unix.Close(saved)
		return nil, err
	}
	original := os.NewFile(uintptr(saved), "stderr")
	stderr = original
	return func() {
		_ = unix.Dup2(saved, 2)
		stderr = os.Stderr
		original.Close()
	}, nil
}
