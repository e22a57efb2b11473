//go:build unix && !linux

package kit

import "syscall"

// dupOnto makes fd `to` a copy of fd `from`.
func dupOnto(from, to int) error { return syscall.Dup2(from, to) }
