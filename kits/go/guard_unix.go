//go:build unix

package kit

import (
	"os"
	"syscall"
)

// guardStdout keeps a copy of fd 1 for the replies and puts stderr on fd 1, so whatever the
// learner prints to stdout (fmt.Println, a C library) lands on stderr.
func guardStdout() (*os.File, error) {
	fd, err := syscall.Dup(1)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(fd)
	if err := dupOnto(2, 1); err != nil {
		return nil, err
	}
	os.Stdout = os.Stderr
	return os.NewFile(uintptr(fd), "stdout"), nil
}
