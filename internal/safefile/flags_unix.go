//go:build unix

package safefile

import "syscall"

// nonBlock opens a file without waiting: a FIFO's open returns at once.
const nonBlock = syscall.O_NONBLOCK
