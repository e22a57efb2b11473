//go:build !unix

package kit

import "os"

// guardStdout sends Go's prints to stderr (os.Stdout); the replies keep the real stdout.
func guardStdout() (*os.File, error) {
	replies := os.Stdout
	os.Stdout = os.Stderr
	return replies, nil
}
