// The stages of Neural Networks from Scratch, chapters 9 to 17: backward passes,
// regularization and dropout, sigmoid and three more losses, the optimizers, and training.
//
// Every stage is pure, as in nnfs.go: what the book keeps on a layer object (its forward
// inputs or outputs, a dropout mask, optimizer state) comes in, and what it updates goes out.

package main

import (
	"fmt"
	"math"
)

// ---------------------------------------------------------------------------------------------
// Backward passes (chapter 9)

// DenseBackward is Layer_Dense.backward: dweights = inputs.T @ dvalues, dbiases the sum of
// dvalues over the batch, dinputs = dvalues @ weights.T. Weights are (K, N), as Layer_Dense.
func DenseBackward(inputs, weights, dvalues [][]float64) (dweights [][]float64,
	dbiases []float64, dinputs [][]float64, err error) {
	if len(inputs) == 0 {
		return nil, nil, nil, stageError("empty_batch", "inputs has no samples")
	}
	k := len(inputs[0])
	if len(weights) == 0 || len(weights) != k {
		return nil, nil, nil, stageError("shape_mismatch", "weights has %d rows, inputs has %d "+
			"columns", len(weights), k)
	}
	n := len(weights[0])
	if len(dvalues) != len(inputs) || len(dvalues[0]) != n {
		return nil, nil, nil, stageError("shape_mismatch", "dvalues must have shape [%d, %d], "+
			"the layer's output", len(inputs), n)
	}
	dweights = zeros(k, n)
	dbiases = make([]float64, n)
	dinputs = zeros(len(inputs), k)
	for b := range inputs {
		for j := range n {
			for i := range k {
				dweights[i][j] += inputs[b][i] * dvalues[b][j]
			}
			// NOTE: the bias gradient is the SUM over the batch, one value per neuron.
			dbiases[j] += dvalues[b][j]
		}
		for i := range k {
			for j := range n {
				dinputs[b][i] += dvalues[b][j] * weights[i][j]
			}
		}
	}
	return dweights, dbiases, dinputs, nil
}

// ReluBackward passes dvalues where the forward input was positive, and 0 elsewhere.
// NOTE: the mask is taken on the INPUTS, and an input of exactly 0 (or -0.0) gets 0.
func ReluBackward(inputs, dvalues [][]float64) ([][]float64, error) {
	if !sameShape(inputs, dvalues) {
		return nil, stageError("shape_mismatch", "dvalues must have the shape of inputs")
	}
	dinputs := make([][]float64, len(inputs))
	for b, row := range inputs {
		dinputs[b] = make([]float64, len(row))
		for i, x := range row {
			if x > 0 {
				dinputs[b][i] = dvalues[b][i]
			}
		}
	}
	return dinputs, nil
}

// SoftmaxBackward is Activation_Softmax.backward: each sample's dvalues through its Jacobian,
// diag(p) - p·pᵀ, where p is the softmax's forward output.
func SoftmaxBackward(output, dvalues [][]float64) ([][]float64, error) {
	if len(output) == 0 {
		return nil, stageError("empty_batch", "output has no samples")
	}
	if !sameShape(output, dvalues) {
		return nil, stageError("shape_mismatch", "dvalues must have the shape of output")
	}
	dinputs := make([][]float64, len(output))
	for b, p := range output {
		dinputs[b] = make([]float64, len(p))
		for i := range p {
			for j := range p {
				jacobian := -p[i] * p[j]
				if i == j {
					jacobian = p[i] - p[i]*p[j]
				}
				dinputs[b][i] += jacobian * dvalues[b][j]
			}
		}
	}
	return dinputs, nil
}

// CategoricalCrossentropyBackward is -y_true / y_pred / samples, with y_true one-hot.
// NOTE: no clipping here, as in the book.
func CategoricalCrossentropyBackward(yPred [][]float64, yTrue Labels) ([][]float64, error) {
	if len(yPred) == 0 {
		return nil, stageError("empty_batch", "y_pred has no samples")
	}
	correct, err := yTrue.Classes(len(yPred), len(yPred[0]))
	if err != nil {
		return nil, err
	}
	samples := float64(len(yPred))
	dinputs := make([][]float64, len(yPred))
	for b, row := range yPred {
		dinputs[b] = make([]float64, len(row))
		for c, p := range row {
			dinputs[b][c] = -oneHot(c == correct[b]) / p / samples
		}
	}
	return dinputs, nil
}

// SoftmaxCrossentropyBackward is the gradient of the loss with respect to the softmax's
// inputs. The "combined" path is the book's shortcut, (y_pred - y_true) / samples; the
// "separate" path chains the two backward passes.
func SoftmaxCrossentropyBackward(yPred [][]float64, yTrue Labels, path string) ([][]float64, error) {
	if path == "separate" {
		dvalues, err := CategoricalCrossentropyBackward(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		return SoftmaxBackward(yPred, dvalues)
	}
	if path != "combined" {
		return nil, fmt.Errorf("unknown path %q", path)
	}
	if len(yPred) == 0 {
		return nil, stageError("empty_batch", "y_pred has no samples")
	}
	correct, err := yTrue.Classes(len(yPred), len(yPred[0]))
	if err != nil {
		return nil, err
	}
	// NOTE: divided by the number of SAMPLES, not classes.
	samples := float64(len(yPred))
	dinputs := make([][]float64, len(yPred))
	for b, row := range yPred {
		dinputs[b] = make([]float64, len(row))
		for c, p := range row {
			dinputs[b][c] = (p - oneHot(c == correct[b])) / samples
		}
	}
	return dinputs, nil
}

// ---------------------------------------------------------------------------------------------
// Regularization and dropout (chapters 14 and 15)

// Regularizers are Layer_Dense's four factors, each >= 0.
type Regularizers struct {
	WeightL1, WeightL2, BiasL1, BiasL2 float64
}

// Regularization is the L1 and L2 penalty of a layer and its own share of the gradients.
func Regularization(weights [][]float64, biases []float64, r Regularizers) (loss float64,
	dweights [][]float64, dbiases []float64, err error) {
	if len(weights) > 0 && len(biases) != len(weights[0]) {
		return 0, nil, nil, stageError("shape_mismatch", "biases has %d values, weights has %d "+
			"neurons", len(biases), len(weights[0]))
	}
	for _, factor := range []float64{r.WeightL1, r.WeightL2, r.BiasL1, r.BiasL2} {
		if factor < 0 {
			return 0, nil, nil, stageError("invalid_value", "a regularizer factor is %v, "+
				"negative", factor)
		}
	}
	var absWeights, squaredWeights float64
	dweights = make([][]float64, len(weights))
	for k, row := range weights {
		for _, w := range row {
			absWeights += math.Abs(w)
			squaredWeights += w * w
		}
		dweights[k] = regularizationGradient(row, r.WeightL1, r.WeightL2)
	}
	var absBiases, squaredBiases float64
	for _, b := range biases {
		absBiases += math.Abs(b)
		squaredBiases += b * b
	}
	loss = r.WeightL1*absWeights + r.WeightL2*squaredWeights +
		r.BiasL1*absBiases + r.BiasL2*squaredBiases
	return loss, dweights, regularizationGradient(biases, r.BiasL1, r.BiasL2), nil
}

// regularizationGradient is l1·sign(v) + 2·l2·v.
// NOTE: sign(v) is +1 where v >= 0, including 0 and -0.0, as the book's dL1.
func regularizationGradient(values []float64, l1, l2 float64) []float64 {
	gradient := make([]float64, len(values))
	for i, v := range values {
		dL1 := 1.0
		if v < 0 {
			dL1 = -1
		}
		gradient[i] = l1*dL1 + 2*l2*v
	}
	return gradient
}

// Dropout is Layer_Dropout's forward and backward with a given mask of 0s and 1s (1 keeps).
// NOTE: rate is the DROP rate, and kept values are scaled by 1 / (1 - rate).
func Dropout(inputs, mask [][]float64, rate float64, dvalues [][]float64) (output,
	dinputs [][]float64, err error) {
	if len(inputs) == 0 {
		return nil, nil, stageError("empty_batch", "inputs has no samples")
	}
	if !sameShape(inputs, mask) || !sameShape(inputs, dvalues) {
		return nil, nil, stageError("shape_mismatch", "mask and dvalues must have the shape "+
			"of inputs")
	}
	if !(rate >= 0 && rate < 1) {
		return nil, nil, stageError("invalid_value", "rate is %v, not in [0, 1)", rate)
	}
	output, dinputs = zeros(len(inputs), len(inputs[0])), zeros(len(inputs), len(inputs[0]))
	for b := range inputs {
		for i := range inputs[b] {
			binaryMask := mask[b][i] / (1 - rate)
			output[b][i] = inputs[b][i] * binaryMask
			dinputs[b][i] = dvalues[b][i] * binaryMask
		}
	}
	return output, dinputs, nil
}

// ---------------------------------------------------------------------------------------------
// Sigmoid and binary cross-entropy (chapter 16), regression losses (chapter 17)

// Sigmoid is 1 / (1 + exp(-x)) and its backward pass, dvalues·(1 - s)·s.
func Sigmoid(inputs, dvalues [][]float64) (output, dinputs [][]float64, err error) {
	if len(inputs) == 0 {
		return nil, nil, stageError("empty_batch", "inputs has no samples")
	}
	if !sameShape(inputs, dvalues) {
		return nil, nil, stageError("shape_mismatch", "dvalues must have the shape of inputs")
	}
	output, dinputs = zeros(len(inputs), len(inputs[0])), zeros(len(inputs), len(inputs[0]))
	for b := range inputs {
		for i, x := range inputs[b] {
			s := 1 / (1 + math.Exp(-x))
			output[b][i] = s
			dinputs[b][i] = dvalues[b][i] * (1 - s) * s
		}
	}
	return output, dinputs, nil
}

// Loss is what the losses of chapters 16 and 17 compute: each sample's loss, their mean, and
// the gradient with respect to y_pred.
type Loss struct {
	SampleLosses []float64
	Loss         float64
	Dinputs      [][]float64
}

// BinaryCrossentropy is each sample's mean over its outputs of -(y·ln p + (1-y)·ln(1-p)).
// NOTE: y_pred is clipped in the forward AND the backward pass.
func BinaryCrossentropy(yPred, yTrue [][]float64) (*Loss, error) {
	return elementLoss(yPred, yTrue,
		func(p, y float64) float64 {
			p = clip(p)
			return -(y*math.Log(p) + (1-y)*math.Log(1-p))
		},
		func(p, y, outputs float64) float64 {
			p = clip(p)
			return -(y/p - (1-y)/(1-p)) / outputs
		})
}

// MeanSquaredError is each sample's mean of (y_true - y_pred)².
func MeanSquaredError(yPred, yTrue [][]float64) (*Loss, error) {
	return elementLoss(yPred, yTrue,
		func(p, y float64) float64 { return (y - p) * (y - p) },
		func(p, y, outputs float64) float64 { return -2 * (y - p) / outputs })
}

// MeanAbsoluteError is each sample's mean of |y_true - y_pred|.
// NOTE: the gradient is sign(y_pred - y_true), 0 where they are equal. The book's
// np.sign(y_true - y_pred) has the wrong sign.
func MeanAbsoluteError(yPred, yTrue [][]float64) (*Loss, error) {
	return elementLoss(yPred, yTrue,
		func(p, y float64) float64 { return math.Abs(y - p) },
		func(p, y, outputs float64) float64 { return -sign(y-p) / outputs })
}

// elementLoss is a loss made of one term per output: sample losses are the mean of the terms
// over a sample's outputs, and dinputs the gradient of each term, divided by the samples.
func elementLoss(yPred, yTrue [][]float64, term func(p, y float64) float64,
	gradient func(p, y, outputs float64) float64) (*Loss, error) {
	if len(yPred) == 0 {
		return nil, stageError("empty_batch", "y_pred has no samples")
	}
	if !sameShape(yPred, yTrue) {
		return nil, stageError("shape_mismatch", "y_true must have the shape of y_pred")
	}
	samples, outputs := float64(len(yPred)), float64(len(yPred[0]))
	loss := Loss{SampleLosses: make([]float64, len(yPred)),
		Dinputs: zeros(len(yPred), len(yPred[0]))}
	for b, row := range yPred {
		terms := make([]float64, len(row))
		for o, p := range row {
			terms[o] = term(p, yTrue[b][o])
			loss.Dinputs[b][o] = gradient(p, yTrue[b][o], outputs) / samples
		}
		loss.SampleLosses[b] = mean(terms)
	}
	loss.Loss = mean(loss.SampleLosses)
	return &loss, nil
}

// ---------------------------------------------------------------------------------------------
// Optimizers (chapter 10)

// Hyperparameters of the optimizers; each uses some of them.
type Hyperparameters struct {
	LearningRate, Decay, Momentum, Epsilon, Rho, Beta1, Beta2 float64
}

// LayerState is a dense layer's parameters and the optimizer's state for them, arrays of the
// shapes of the weights (K, N) and of the biases (N): what the book keeps on Layer_Dense.
type LayerState struct {
	Weights, WeightMomentums, WeightCache [][]float64
	Biases, BiasMomentums, BiasCache      []float64
}

// NewLayerState is a layer with the given parameters and its optimizer state at zeros.
func NewLayerState(weights [][]float64, biases []float64) LayerState {
	k, n := len(weights), 0
	if k > 0 {
		n = len(weights[0])
	}
	return LayerState{Weights: weights, Biases: biases,
		WeightMomentums: zeros(k, n), WeightCache: zeros(k, n),
		BiasMomentums: make([]float64, n), BiasCache: make([]float64, n)}
}

// An Optimizer updates a layer with its gradients, at the given step count (the steps already
// taken), and returns the learning rate it used.
type Optimizer func(layer *LayerState, dweights [][]float64, dbiases []float64,
	iterations int, h Hyperparameters) float64

// currentLearningRate is lr0 / (1 + decay·iterations), recomputed from the initial rate at
// every step, never compounded: step 0 uses the initial rate.
func currentLearningRate(h Hyperparameters, iterations int) float64 {
	if h.Decay != 0 {
		return h.LearningRate * (1 / (1 + h.Decay*float64(iterations)))
	}
	return h.LearningRate
}

// SGD is plain gradient descent, or with momentum the book's v = momentum·v - lr·g; w += v.
// NOTE: without momentum the book keeps no momentum arrays, so they stay as they are.
func SGD(layer *LayerState, dweights [][]float64, dbiases []float64, iterations int,
	h Hyperparameters) float64 {
	lr := currentLearningRate(h, iterations)
	layer.update(dweights, dbiases, func(p *float64, g float64, momentum, _ *float64) {
		if h.Momentum != 0 {
			*momentum = h.Momentum**momentum - lr*g
			*p += *momentum
		} else {
			*p += -lr * g
		}
	})
	return lr
}

// Adagrad divides each step by the root of the sum of the squared gradients so far.
// NOTE: epsilon is added OUTSIDE the square root.
func Adagrad(layer *LayerState, dweights [][]float64, dbiases []float64, iterations int,
	h Hyperparameters) float64 {
	lr := currentLearningRate(h, iterations)
	layer.update(dweights, dbiases, func(p *float64, g float64, _, cache *float64) {
		*cache += g * g
		*p += -lr * g / (math.Sqrt(*cache) + h.Epsilon)
	})
	return lr
}

// RMSprop is Adagrad with a moving average of the squared gradients.
func RMSprop(layer *LayerState, dweights [][]float64, dbiases []float64, iterations int,
	h Hyperparameters) float64 {
	lr := currentLearningRate(h, iterations)
	layer.update(dweights, dbiases, func(p *float64, g float64, _, cache *float64) {
		*cache = h.Rho**cache + (1-h.Rho)*(g*g)
		*p += -lr * g / (math.Sqrt(*cache) + h.Epsilon)
	})
	return lr
}

// Adam is RMSprop with momentum, both corrected for starting at zero.
// NOTE: the correction divides by 1 - beta^(iterations + 1) (1-based, undecayed betas), and
// epsilon is added to the square root of the CORRECTED cache.
func Adam(layer *LayerState, dweights [][]float64, dbiases []float64, iterations int,
	h Hyperparameters) float64 {
	lr := currentLearningRate(h, iterations)
	correction1 := 1 - math.Pow(h.Beta1, float64(iterations+1))
	correction2 := 1 - math.Pow(h.Beta2, float64(iterations+1))
	layer.update(dweights, dbiases, func(p *float64, g float64, momentum, cache *float64) {
		*momentum = h.Beta1**momentum + (1-h.Beta1)*g
		*cache = h.Beta2**cache + (1-h.Beta2)*(g*g)
		*p += -lr * (*momentum / correction1) / (math.Sqrt(*cache/correction2) + h.Epsilon)
	})
	return lr
}

// Optimizers are the optimizers by name.
var Optimizers = map[string]Optimizer{"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop,
	"adam": Adam}

// OptimizerStep is one optimizer step on one layer, which it checks first: the gradients and
// the state must have the shapes of the weights and biases. It returns the updated layer (the
// given one is left as it was) and the learning rate the step used.
func OptimizerStep(optimizer Optimizer, layer LayerState, dweights [][]float64,
	dbiases []float64, iterations int, h Hyperparameters) (LayerState, float64, error) {
	n := 0
	if len(layer.Weights) > 0 {
		n = len(layer.Weights[0])
	}
	if len(layer.Biases) != n {
		return layer, 0, stageError("shape_mismatch", "biases has %d values, weights has %d "+
			"neurons", len(layer.Biases), n)
	}
	for _, matrix := range [][][]float64{dweights, layer.WeightMomentums, layer.WeightCache} {
		if !sameShape(matrix, layer.Weights) {
			return layer, 0, stageError("shape_mismatch", "dweights and the weight state must "+
				"have the shape of weights")
		}
	}
	for _, vector := range [][]float64{dbiases, layer.BiasMomentums, layer.BiasCache} {
		if len(vector) != n {
			return layer, 0, stageError("shape_mismatch", "dbiases and the bias state must "+
				"have %d values", n)
		}
	}
	if iterations < 0 {
		return layer, 0, stageError("invalid_value", "iterations is %d, negative", iterations)
	}
	next := layer.clone()
	lr := optimizer(&next, dweights, dbiases, iterations, h)
	return next, lr, nil
}

// update applies rule to every weight and bias p, with its gradient g and state.
func (layer *LayerState) update(dweights [][]float64, dbiases []float64,
	rule func(p *float64, g float64, momentum, cache *float64)) {
	for k, row := range layer.Weights {
		for n := range row {
			rule(&row[n], dweights[k][n], &layer.WeightMomentums[k][n], &layer.WeightCache[k][n])
		}
	}
	for n := range layer.Biases {
		rule(&layer.Biases[n], dbiases[n], &layer.BiasMomentums[n], &layer.BiasCache[n])
	}
}

// clone is a deep copy, so an optimizer step leaves its inputs as they were.
func (layer LayerState) clone() LayerState {
	return LayerState{
		Weights: cloneMatrix(layer.Weights), WeightMomentums: cloneMatrix(layer.WeightMomentums),
		WeightCache: cloneMatrix(layer.WeightCache), Biases: clone(layer.Biases),
		BiasMomentums: clone(layer.BiasMomentums), BiasCache: clone(layer.BiasCache)}
}

// ---------------------------------------------------------------------------------------------
// Training (chapter 10's loop)

// Trajectory is what training records at each step: the loss and accuracy the forward pass
// measured before the step, the learning rate the step used, and the parameters after it.
type Trajectory struct {
	Loss, Accuracy, LearningRate []float64
	Weights1, Weights2           [][][]float64
	Biases1, Biases2             [][]float64
}

// Train is the book's model, Dense(K, H), ReLU, Dense(H, C), softmax with cross-entropy,
// trained full batch for the given steps with an optimizer whose state starts at zeros.
// NOTE: both layers are updated with iterations = the step, which rises once per step (the
// book's post_update_params), not once per layer.
func Train(inputs [][]float64, yTrue Labels, weights1 [][]float64, biases1 []float64,
	weights2 [][]float64, biases2 []float64, steps int, optimizer Optimizer,
	h Hyperparameters) (*Trajectory, error) {
	if len(weights1) == 0 || len(weights2) == 0 {
		return nil, stageError("shape_mismatch", "weights1 and weights2 must be matrices")
	}
	if steps < 1 {
		return nil, stageError("invalid_value", "steps is %d, not >= 1", steps)
	}
	layer1 := NewLayerState(cloneMatrix(weights1), clone(biases1))
	layer2 := NewLayerState(cloneMatrix(weights2), clone(biases2))
	var record Trajectory
	for step := range steps {
		net, err := Forward(inputs, layer1.Weights, layer1.Biases, layer2.Weights,
			layer2.Biases, yTrue)
		if err != nil {
			return nil, err
		}
		record.Loss = append(record.Loss, net.Loss)
		record.Accuracy = append(record.Accuracy, net.Accuracy)

		dvalues, err := SoftmaxCrossentropyBackward(net.Softmax, yTrue, "combined")
		if err != nil {
			return nil, err
		}
		dweights2, dbiases2, drelu1, err := DenseBackward(net.Relu1, layer2.Weights, dvalues)
		if err != nil {
			return nil, err
		}
		ddense1, err := ReluBackward(net.Dense1, drelu1) // the mask is on dense1's output
		if err != nil {
			return nil, err
		}
		dweights1, dbiases1, _, err := DenseBackward(inputs, layer1.Weights, ddense1)
		if err != nil {
			return nil, err
		}

		optimizer(&layer1, dweights1, dbiases1, step, h)
		lr := optimizer(&layer2, dweights2, dbiases2, step, h)
		record.LearningRate = append(record.LearningRate, lr)
		record.Weights1 = append(record.Weights1, cloneMatrix(layer1.Weights))
		record.Biases1 = append(record.Biases1, clone(layer1.Biases))
		record.Weights2 = append(record.Weights2, cloneMatrix(layer2.Weights))
		record.Biases2 = append(record.Biases2, clone(layer2.Biases))
	}
	return &record, nil
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// zeros is a rows × columns matrix of zeros.
func zeros(rows, columns int) [][]float64 {
	matrix := make([][]float64, rows)
	for i := range matrix {
		matrix[i] = make([]float64, columns)
	}
	return matrix
}

// sameShape tells whether two matrices (rows of equal length, as read) have the same shape.
func sameShape(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || len(a[0]) == len(b[0])
}

// oneHot is 1 for the correct class, 0 for the others.
func oneHot(correct bool) float64 {
	if correct {
		return 1
	}
	return 0
}

// sign is -1, 0 or 1, as np.sign: sign(0) = 0.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x // 0, -0 or NaN
}

func clone(values []float64) []float64 {
	return append([]float64{}, values...)
}

func cloneMatrix(rows [][]float64) [][]float64 {
	result := make([][]float64, len(rows))
	for i, row := range rows {
		result[i] = clone(row)
	}
	return result
}
