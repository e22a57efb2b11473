// The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Go.
//
// One function per stage, named as in the suite. Each takes slices of float64 and returns its
// outputs, or a *StageError when the inputs do not fit together. Standard library only: loops
// over slices, math.Exp and math.Log, as in the book's first chapters.

package main

import (
	"fmt"
	"math"
)

// StageError reports invalid inputs. Kind is one of the suite's error kinds (docs/STAGES.md).
type StageError struct {
	Kind    string
	Message string
}

func (e *StageError) Error() string { return e.Message }

func stageError(kind, format string, args ...any) error {
	return &StageError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ---------------------------------------------------------------------------------------------
// The stages

// Neuron is one neuron: the sum of inputs[k]*weights[k], plus the bias.
func Neuron(inputs, weights []float64, bias float64) (float64, error) {
	if len(inputs) != len(weights) {
		return 0, stageError("shape_mismatch", "inputs has %d values, weights has %d",
			len(inputs), len(weights))
	}
	output := 0.0
	for k := range inputs {
		output += inputs[k] * weights[k]
	}
	return output + bias, nil
}

// Layer is a layer of neurons, one row of weights each: weights @ inputs + biases.
func Layer(inputs []float64, weights [][]float64, biases []float64) ([]float64, error) {
	if len(biases) != len(weights) {
		return nil, stageError("shape_mismatch", "biases has %d values, weights has %d rows (neurons)",
			len(biases), len(weights))
	}
	output := make([]float64, len(weights))
	for n := range weights {
		if len(weights[n]) != len(inputs) {
			return nil, stageError("shape_mismatch", "weights rows have %d values, inputs has %d",
				len(weights[n]), len(inputs))
		}
		total := 0.0
		for k := range inputs {
			total += inputs[k] * weights[n][k]
		}
		output[n] = total + biases[n]
	}
	return output, nil
}

// DenseBatch is Layer_Dense.forward for a batch of samples: inputs @ weights + biases.
// The layout says how weights is kept: "inputs_neurons" is (K, N) as in Layer_Dense,
// "neurons_inputs" is (N, K), one row per neuron as in chapter 2, used transposed.
func DenseBatch(inputs, weights [][]float64, biases []float64, layout string) ([][]float64, error) {
	if len(inputs) == 0 {
		return nil, stageError("empty_batch", "inputs has no samples")
	}
	k := len(inputs[0])
	switch layout {
	case "inputs_neurons":
	case "neurons_inputs":
		for _, row := range weights {
			if len(row) != k {
				return nil, stageError("shape_mismatch", "weights rows (neurons) have %d values, "+
					"inputs has %d columns", len(row), k)
			}
		}
		if len(biases) != len(weights) {
			return nil, stageError("shape_mismatch", "biases has %d values, weights has %d neurons",
				len(biases), len(weights))
		}
		weights = transpose(weights, k)
	default:
		return nil, fmt.Errorf("unknown weights_layout %q", layout)
	}
	if len(weights) != k {
		return nil, stageError("shape_mismatch", "weights has %d rows, inputs has %d columns",
			len(weights), k)
	}
	if len(weights) > 0 && len(biases) != len(weights[0]) {
		return nil, stageError("shape_mismatch", "biases has %d values, weights has %d neurons",
			len(biases), len(weights[0]))
	}
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
func Relu(inputs []float64) []float64 {
	output := make([]float64, len(inputs))
	for i, x := range inputs {
		output[i] = max(0, x)
	}
	return output
}

// Softmax turns each row of logits into probabilities that sum to 1.
// NOTE: it subtracts the row maximum first, so exp never overflows, and a row of large
// negative logits still gives probabilities.
func Softmax(inputs [][]float64) ([][]float64, error) {
	if len(inputs) == 0 {
		return nil, stageError("empty_batch", "inputs has no samples")
	}
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
func CategoricalCrossentropy(yPred [][]float64, yTrue Labels) ([]float64, float64, error) {
	if len(yPred) == 0 {
		return nil, 0, stageError("empty_batch", "y_pred has no samples")
	}
	correct, err := yTrue.Classes(len(yPred), len(yPred[0]))
	if err != nil {
		return nil, 0, err
	}
	sampleLosses := make([]float64, len(yPred))
	for b, row := range yPred {
		var correctConfidence float64
		if yTrue.Format == "sparse" {
			correctConfidence = clip(row[correct[b]])
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
func Accuracy(yPred [][]float64, yTrue Labels) ([]int, float64, error) {
	if len(yPred) == 0 {
		return nil, 0, stageError("empty_batch", "y_pred has no samples")
	}
	correct, err := yTrue.Classes(len(yPred), len(yPred[0]))
	if err != nil {
		return nil, 0, err
	}
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

// Network is everything the chapter 5 network computes for a batch.
type Network struct {
	Dense1, Relu1, Dense2, Softmax [][]float64
	SampleLosses                   []float64
	Loss                           float64
	Predictions                    []int
	Accuracy                       float64
}

// Forward is the book's chapter 5 network: dense, ReLU, dense, softmax, then the loss and the
// accuracy. Both layers keep their weights as Layer_Dense does, (inputs, neurons).
func Forward(inputs, weights1 [][]float64, biases1 []float64,
	weights2 [][]float64, biases2 []float64, yTrue Labels) (*Network, error) {
	var net Network
	var err error
	if net.Dense1, err = DenseBatch(inputs, weights1, biases1, "inputs_neurons"); err != nil {
		return nil, fmt.Errorf("dense1: %w", err)
	}
	net.Relu1 = make([][]float64, len(net.Dense1))
	for b, row := range net.Dense1 {
		net.Relu1[b] = Relu(row)
	}
	if net.Dense2, err = DenseBatch(net.Relu1, weights2, biases2, "inputs_neurons"); err != nil {
		return nil, fmt.Errorf("dense2: %w", err)
	}
	if net.Softmax, err = Softmax(net.Dense2); err != nil {
		return nil, err
	}
	if net.SampleLosses, net.Loss, err = CategoricalCrossentropy(net.Softmax, yTrue); err != nil {
		return nil, err
	}
	if net.Predictions, net.Accuracy, err = Accuracy(net.Softmax, yTrue); err != nil {
		return nil, err
	}
	return &net, nil
}

// ---------------------------------------------------------------------------------------------
// Labels

// Labels is y_true: one class index per sample ("sparse"), or one row per sample holding a
// single 1 among 0s ("onehot").
type Labels struct {
	Format string      // "sparse" or "onehot"
	Sparse []float64   // sparse: the class indices as read, checked by Classes
	OneHot [][]float64 // onehot: the rows, checked by Classes
}

// Classes checks the labels against a batch of the given samples and classes, and returns
// the correct class of each sample.
func (y Labels) Classes(samples, classes int) ([]int, error) {
	if y.Format == "sparse" {
		if len(y.Sparse) != samples {
			return nil, stageError("shape_mismatch", "y_true has %d labels for %d samples",
				len(y.Sparse), samples)
		}
		indices := make([]int, samples)
		for b, label := range y.Sparse {
			if label != math.Trunc(label) || math.IsInf(label, 0) {
				return nil, stageError("invalid_label", "y_true[%d] is %v, not an integer", b, label)
			}
			if label < 0 || label >= float64(classes) {
				return nil, stageError("label_out_of_range", "y_true[%d] is %v, not in [0, %d)",
					b, label, classes)
			}
			indices[b] = int(label)
		}
		return indices, nil
	}
	if len(y.OneHot) != samples {
		return nil, stageError("shape_mismatch", "y_true has %d rows for %d samples",
			len(y.OneHot), samples)
	}
	indices := make([]int, samples)
	for b, row := range y.OneHot {
		if len(row) != classes {
			return nil, stageError("shape_mismatch", "y_true rows have %d values for %d classes",
				len(row), classes)
		}
		ones := 0
		for c, value := range row {
			if value != 0 && value != 1 {
				return nil, stageError("invalid_label", "y_true[%d] holds %v, not 0 or 1", b, value)
			}
			if value == 1 {
				ones++
				indices[b] = c
			}
		}
		if ones != 1 {
			return nil, stageError("invalid_label", "y_true[%d] holds %d ones, not one", b, ones)
		}
	}
	return indices, nil
}

// ---------------------------------------------------------------------------------------------
// Small helpers

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
func argmax(row []float64) int {
	best := 0
	for c, x := range row {
		if math.IsNaN(x) {
			return c
		}
		if x > row[best] {
			best = c
		}
	}
	return best
}

// transpose turns rows of the given number of columns into columns.
func transpose(rows [][]float64, columns int) [][]float64 {
	result := make([][]float64, columns)
	for k := range result {
		result[k] = make([]float64, len(rows))
		for n, row := range rows {
			result[k][n] = row[k]
		}
	}
	return result
}
