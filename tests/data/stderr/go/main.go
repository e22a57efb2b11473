package main

import (
	"fmt"
	"os"
)

func softmax(row []float64, classes int) []float64 {
	out := make([]float64, classes)
	for i := 0; i < classes; i++ {
		out[i] = row[i]
	}
	return out
}

func main() {
	fmt.Fprintln(os.Stderr, "debug: starting")
	softmax([]float64{1, 2}, 3)
}
