// The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Go.
//
// One function per stage, with the Go kit's signature: slices of float64 in, outputs out.
// The kit has checked the inputs (shapes, labels), so these read like the book, which checks
// none, and never fail. Standard library only: loops over slices, math.Exp and math.Log.

package main

import (
	"math"

	"nnfsconform/kit"
)

// Neuron is one neuron: the sum of inputs[k]*weights[k], plus the bias.
func Neuron(inputs, weights []float64, bias float64) (float64, error) {
	output := 0.0
	for k := range inputs {
		output += inputs[k] * weights[k]
	}
	return output + bias, nil
}

// Layer is a layer of neurons, one row of weights each: weights @ inputs + biases.
func Layer(inputs []float64, weights [][]float64, biases []float64) ([]float64, error) {
	output := make([]float64, len(weights))
	for n := range weights {
		total := 0.0
		for k := range inputs {
			total += inputs[k] * weights[n][k]
		}
		output[n] = total + biases[n]
	}
	return output, nil
}

// DenseBatch is Layer_Dense.forward for a batch of samples: inputs @ weights + biases, with
// weights (K, N) as Layer_Dense keeps them (the kit transposes chapter 2's per-neuron rows).
func DenseBatch(inputs, weights [][]float64, biases []float64) ([][]float64, error) {
	output := make([][]float64, len(inputs))
	for b, sample := range inputs {
		output[b] = make([]float64, len(biases))
		for n := range biases {
			total := 0.0
			for k := range sample {
				total += sample[k] * weights[k][n]
			}
			output[b][n] = total + biases[n]
		}
	}
	return output, nil
}

// Relu is the rectified linear unit, max(0, x) for each x. Go's max lets NaN through, as
// np.maximum does.
func Relu(inputs [][]float64) ([][]float64, error) {
	output := make([][]float64, len(inputs))
	for b, row := range inputs {
		output[b] = make([]float64, len(row))
		for i, x := range row {
			output[b][i] = max(0, x)
		}
	}
	return output, nil
}

// DenseRelu is chapter 4's first chain, before any loss: a Layer_Dense, then ReLU of its output.
func DenseRelu(inputs, weights [][]float64, biases []float64) (dense, relu [][]float64, err error) {
	dense, _ = DenseBatch(inputs, weights, biases) // the stages here never fail
	relu, _ = Relu(dense)
	return dense, relu, nil
}

// Softmax turns each row of logits into probabilities that sum to 1.
// NOTE: it subtracts the row maximum first, so exp never overflows, and a row of large
// negative logits still gives probabilities.
func Softmax(inputs [][]float64) ([][]float64, error) {
	output := make([][]float64, len(inputs))
	for b, row := range inputs {
		largest := math.Inf(-1)
		for _, x := range row {
			largest = max(largest, x)
		}
		expValues := make([]float64, len(row))
		total := 0.0
		for c, x := range row {
			expValues[c] = math.Exp(x - largest)
			total += expValues[c]
		}
		output[b] = make([]float64, len(row))
		for c, e := range expValues {
			output[b][c] = e / total
		}
	}
	return output, nil
}

// The bounds that keep log away from 0 (and the loss of a perfect prediction at 1e-7).
const (
	clipLow  = 1e-7
	clipHigh = 1 - 1e-7
)

// CategoricalCrossentropy is the loss of each sample, -ln(the clipped confidence in the
// correct class), and their mean.
func CategoricalCrossentropy(yPred [][]float64, yTrue kit.Labels) ([]float64, float64, error) {
	sampleLosses := make([]float64, len(yPred))
	for b, row := range yPred {
		var correctConfidence float64
		if yTrue.OneHot == nil {
			correctConfidence = clip(row[yTrue.Sparse[b]])
		} else {
			for c := range row {
				correctConfidence += clip(row[c]) * yTrue.OneHot[b][c]
			}
		}
		sampleLosses[b] = -math.Log(correctConfidence)
	}
	return sampleLosses, mean(sampleLosses), nil
}

// Accuracy is the class each sample predicts (its most confident one) and the fraction of
// samples whose prediction is right.
func Accuracy(yPred [][]float64, yTrue kit.Labels) ([]int, float64, error) {
	correct := classes(yTrue)
	predictions := make([]int, len(yPred))
	matches := 0
	for b, row := range yPred {
		predictions[b] = argmax(row)
		if predictions[b] == correct[b] {
			matches++
		}
	}
	return predictions, float64(matches) / float64(len(yPred)), nil
}

// DenseReluDenseSoftmax is chapter 4's network, before chapter 5 adds the loss: dense, ReLU,
// dense, softmax. Both layers keep their weights as Layer_Dense does, (inputs, neurons).
func DenseReluDenseSoftmax(inputs, weights1 [][]float64, biases1 []float64,
	weights2 [][]float64, biases2 []float64) (kit.Network, error) {
	var net kit.Network
	net.Dense1, net.Relu1, _ = DenseRelu(inputs, weights1, biases1) // the stages here never fail
	net.Dense2, _ = DenseBatch(net.Relu1, weights2, biases2)
	net.Softmax, _ = Softmax(net.Dense2)
	return net, nil
}

// Forward is the book's chapter 5 network: chapter 4's, then the loss and the accuracy.
func Forward(inputs, weights1 [][]float64, biases1 []float64,
	weights2 [][]float64, biases2 []float64, yTrue kit.Labels) (kit.Network, error) {
	net, _ := DenseReluDenseSoftmax(inputs, weights1, biases1, weights2, biases2)
	net.SampleLosses, net.Loss, _ = CategoricalCrossentropy(net.Softmax, yTrue)
	net.Predictions, net.Accuracy, _ = Accuracy(net.Softmax, yTrue)
	return net, nil
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// classes is the correct class of each sample: the sparse labels, or where each one-hot row
// has its 1 (np.argmax(y_true, axis=1)).
func classes(yTrue kit.Labels) []int {
	if yTrue.OneHot == nil {
		return yTrue.Sparse
	}
	indices := make([]int, len(yTrue.OneHot))
	for b, row := range yTrue.OneHot {
		indices[b] = argmax(row)
	}
	return indices
}

// clip keeps p in [clipLow, clipHigh]. A NaN fails both comparisons and stays NaN, as in np.clip.
func clip(p float64) float64 {
	if p < clipLow {
		return clipLow
	}
	if p > clipHigh {
		return clipHigh
	}
	return p
}

func mean(values []float64) float64 {
	total := 0.0
	for _, v := range values {
		total += v
	}
	return total / float64(len(values))
}

// argmax is the index of the largest value.
// NOTE: the FIRST maximum wins on ties (>, not >=), as np.argmax; like np.argmax, a NaN
// counts as the maximum.
func argmax[F float32 | float64](row []F) int {
	best := 0
	for c, x := range row {
		if math.IsNaN(float64(x)) {
			return c
		}
		if x > row[best] {
			best = c
		}
	}
	return best
}
