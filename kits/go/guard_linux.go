package kit

import "syscall"

// dupOnto makes fd `to` a copy of fd `from`: Dup3, as Dup2 is missing on linux/arm64.
func dupOnto(from, to int) error { return syscall.Dup3(from, to, 0) }
