package testenv

import "syscall"

// childProcAttr runs a server as cred's user (nil: as this process's user)
// and kills it when the test binary dies, so a crashed or killed test run
// leaves no server behind.
func childProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
}
