//go:build unix && !linux

package testenv

import "syscall"

// childProcAttr runs a server as cred's user (nil: as this process's user).
// Outside Linux a server outlives a test binary that is killed.
func childProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
