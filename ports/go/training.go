// The stages of Neural Networks from Scratch, chapters 9 to 17: backward passes (and a layer
// used twice), regularization and dropout, sigmoid and three more losses with their accuracies,
// the linear activation, the optimizers (on one layer, or one shared by two), and training.
//
// Every stage is pure, as in nnfs.go: what the book keeps on a layer object (its forward
// inputs or outputs, a dropout mask) comes in, and what it computes goes out; the optimizers
// update the kit's Layer and Optimizer, the book's Layer_Dense and Optimizer_* objects.

package main

import (
	"fmt"
	"math"

	"nnfsconform/kit"
)

// ---------------------------------------------------------------------------------------------
// Backward passes (chapter 9)

// DenseBackward is Layer_Dense.backward: dweights = inputs.T @ dvalues, dbiases the sum of
// dvalues over the batch, dinputs = dvalues @ weights.T. Weights are (K, N), as Layer_Dense.
func DenseBackward(inputs, weights, dvalues [][]float64) (dweights [][]float64,
	dbiases []float64, dinputs [][]float64, err error) {
	k, n := len(weights), len(dvalues[0])
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

// RepeatedForward is one Layer_Dense and one Activation_ReLU used twice, as a training loop
// uses them: forward on inputs1, forward on inputs2, then backward with dvalues.
// NOTE: each forward starts afresh: nothing of the first call is kept or appended, and the
// backward pass uses the inputs of the second call (what the book's layer saved last).
func RepeatedForward(inputs1, inputs2, weights [][]float64, biases []float64,
	dvalues [][]float64) (output1, output2, dweights [][]float64, dbiases []float64,
	dinputs [][]float64, err error) {
	dense1, _ := DenseBatch(inputs1, weights, biases) // the stages here never fail
	output1, _ = Relu(dense1)
	dense2, _ := DenseBatch(inputs2, weights, biases)
	output2, _ = Relu(dense2)
	drelu, _ := ReluBackward(dense2, dvalues) // the ReLU saw dense2 last
	dweights, dbiases, dinputs, _ = DenseBackward(inputs2, weights, drelu)
	return output1, output2, dweights, dbiases, dinputs, nil
}

// SoftmaxBackward is Activation_Softmax.backward: each sample's dvalues through its Jacobian,
// diag(p) - p·pᵀ, where p is the softmax's forward output.
func SoftmaxBackward(output, dvalues [][]float64) ([][]float64, error) {
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
func CategoricalCrossentropyBackward(yPred [][]float64, yTrue kit.Labels) ([][]float64, error) {
	correct := classes(yTrue)
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

// SoftmaxCrossentropyBackward is Activation_Softmax_Loss_CategoricalCrossentropy.backward,
// the book's shortcut for the gradient of the loss with respect to the softmax's inputs:
// (y_pred - y_true) / samples. (The kit chains the two stages above for the separate path.)
func SoftmaxCrossentropyBackward(yPred [][]float64, yTrue kit.Labels) ([][]float64, error) {
	correct := classes(yTrue)
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

// Regularization is the L1 and L2 penalty of a layer and its own share of the gradients.
func Regularization(layer *kit.Layer) (loss float64, dweights [][]float64, dbiases []float64,
	err error) {
	var absWeights, squaredWeights float64
	dweights = make([][]float64, len(layer.Weights))
	for k, row := range layer.Weights {
		for _, w := range row {
			absWeights += math.Abs(w)
			squaredWeights += w * w
		}
		dweights[k] = regularizationGradient(row, layer.WeightRegularizerL1,
			layer.WeightRegularizerL2)
	}
	var absBiases, squaredBiases float64
	for _, b := range layer.Biases {
		absBiases += math.Abs(b)
		squaredBiases += b * b
	}
	loss = layer.WeightRegularizerL1*absWeights + layer.WeightRegularizerL2*squaredWeights +
		layer.BiasRegularizerL1*absBiases + layer.BiasRegularizerL2*squaredBiases
	dbiases = regularizationGradient(layer.Biases, layer.BiasRegularizerL1,
		layer.BiasRegularizerL2)
	return loss, dweights, dbiases, nil
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

// BinaryCrossentropy is each sample's mean over its outputs of -(y·ln p + (1-y)·ln(1-p)).
// NOTE: y_pred is clipped in the forward AND the backward pass.
func BinaryCrossentropy(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {
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

// BinaryAccuracy is chapter 16's Accuracy_Categorical(binary=True): each output predicts
// class 1 when it is above 0.5, and the accuracy is the share of right predictions over every
// output of every sample.
// NOTE: strictly above: an output of exactly 0.5 is class 0, as the book's `output > 0.5`.
func BinaryAccuracy(yPred, yTrue [][]float64) ([][]int, float64, error) {
	predictions := make([][]int, len(yPred))
	matches, count := 0, 0
	for b, row := range yPred {
		predictions[b] = make([]int, len(row))
		for o, p := range row {
			if p > 0.5 {
				predictions[b][o] = 1
			}
			if float64(predictions[b][o]) == yTrue[b][o] {
				matches++
			}
			count++
		}
	}
	return predictions, float64(matches) / float64(count), nil
}

// Linear is chapter 17's Activation_Linear: forward gives the inputs back and backward passes
// dvalues on, both unchanged.
func Linear(inputs, dvalues [][]float64) (output, dinputs [][]float64, err error) {
	return cloneMatrix(inputs), cloneMatrix(dvalues), nil
}

// MeanSquaredError is each sample's mean of (y_true - y_pred)².
func MeanSquaredError(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {
	return elementLoss(yPred, yTrue,
		func(p, y float64) float64 { return (y - p) * (y - p) },
		func(p, y, outputs float64) float64 { return -2 * (y - p) / outputs })
}

// MeanAbsoluteError is each sample's mean of |y_true - y_pred|.
// NOTE: the gradient is sign(y_pred - y_true), 0 where they are equal. The book's
// np.sign(y_true - y_pred) has the wrong sign.
func MeanAbsoluteError(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {
	return elementLoss(yPred, yTrue,
		func(p, y float64) float64 { return math.Abs(y - p) },
		func(p, y, outputs float64) float64 { return -sign(y-p) / outputs })
}

// RegressionAccuracy is chapter 17's Accuracy_Regression: the share of outputs within
// precision of their target. (The book's precision is np.std(y_true) / 250; it comes given.)
// NOTE: strictly within: |y_pred - y_true| < precision.
func RegressionAccuracy(yPred, yTrue [][]float64, precision float64) (float64, error) {
	hits, count := 0, 0
	for b, row := range yPred {
		for o, p := range row {
			if math.Abs(p-yTrue[b][o]) < precision {
				hits++
			}
			count++
		}
	}
	return float64(hits) / float64(count), nil
}

// elementLoss is a loss made of one term per output: sample losses are the mean of the terms
// over a sample's outputs, and dinputs the gradient of each term, divided by the samples.
func elementLoss(yPred, yTrue [][]float64, term func(p, y float64) float64,
	gradient func(p, y, outputs float64) float64) (sampleLosses []float64, loss float64,
	dinputs [][]float64, err error) {
	samples, outputs := float64(len(yPred)), float64(len(yPred[0]))
	sampleLosses, dinputs = make([]float64, len(yPred)), zeros(len(yPred), len(yPred[0]))
	for b, row := range yPred {
		terms := make([]float64, len(row))
		for o, p := range row {
			terms[o] = term(p, yTrue[b][o])
			dinputs[b][o] = gradient(p, yTrue[b][o], outputs) / samples
		}
		sampleLosses[b] = mean(terms)
	}
	return sampleLosses, mean(sampleLosses), dinputs, nil
}

// ---------------------------------------------------------------------------------------------
// Optimizers (chapter 10): update_params of each, on the kit's Layer (the book's Layer_Dense)
// with the kit's Optimizer (its hyperparameters, current_learning_rate and iterations).

// preUpdateParams sets the rate of this step: lr0 / (1 + decay·iterations), recomputed from
// the initial rate at every step, never compounded, so step 0 uses the initial rate.
// NOTE: float64(decay·iterations) rounds the product before the 1 is added, as Python does:
// Go may otherwise fuse them into one multiply-add, and the book tier checks the rate exactly.
func preUpdateParams(o *kit.Optimizer) {
	if o.Decay != 0 {
		o.CurrentLearningRate = o.LearningRate * (1 / (1 + float64(o.Decay*float64(o.Iterations))))
	}
}

func postUpdateParams(o *kit.Optimizer) { o.Iterations++ }

// Step is one optimizer step on one layer, as the book's training loop calls it.
func Step(updateParams func(o *kit.Optimizer, layer *kit.Layer)) func(*kit.Optimizer, *kit.Layer) error {
	return func(o *kit.Optimizer, layer *kit.Layer) error {
		preUpdateParams(o)
		updateParams(o, layer)
		postUpdateParams(o)
		return nil
	}
}

// SGD is plain gradient descent, or with momentum the book's v = momentum·v - lr·g; w += v.
// NOTE: without momentum the book keeps no momentum arrays, so they stay as they are.
func SGD(o *kit.Optimizer, layer *kit.Layer) {
	update(layer, func(p *float64, g float64, momentum, _ *float64) {
		if o.Momentum != 0 {
			*momentum = o.Momentum**momentum - o.CurrentLearningRate*g
			*p += *momentum
		} else {
			*p += -o.CurrentLearningRate * g
		}
	})
}

// Adagrad divides each step by the root of the sum of the squared gradients so far.
// NOTE: epsilon is added OUTSIDE the square root.
func Adagrad(o *kit.Optimizer, layer *kit.Layer) {
	update(layer, func(p *float64, g float64, _, cache *float64) {
		*cache += g * g
		*p += -o.CurrentLearningRate * g / (math.Sqrt(*cache) + o.Epsilon)
	})
}

// RMSprop is Adagrad with a moving average of the squared gradients.
func RMSprop(o *kit.Optimizer, layer *kit.Layer) {
	update(layer, func(p *float64, g float64, _, cache *float64) {
		*cache = o.Rho**cache + (1-o.Rho)*(g*g)
		*p += -o.CurrentLearningRate * g / (math.Sqrt(*cache) + o.Epsilon)
	})
}

// Adam is RMSprop with momentum, both corrected for starting at zero.
// NOTE: the correction divides by 1 - beta^(iterations + 1) (1-based, undecayed betas), and
// epsilon is added to the square root of the CORRECTED cache.
func Adam(o *kit.Optimizer, layer *kit.Layer) {
	correction1 := 1 - math.Pow(o.Beta1, float64(o.Iterations+1))
	correction2 := 1 - math.Pow(o.Beta2, float64(o.Iterations+1))
	update(layer, func(p *float64, g float64, momentum, cache *float64) {
		*momentum = o.Beta1**momentum + (1-o.Beta1)*g
		*cache = o.Beta2**cache + (1-o.Beta2)*(g*g)
		*p += -o.CurrentLearningRate * (*momentum / correction1) /
			(math.Sqrt(*cache/correction2) + o.Epsilon)
	})
}

// Optimizers are the optimizers' update_params by name.
var Optimizers = map[string]func(o *kit.Optimizer, layer *kit.Layer){"sgd": SGD,
	"adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}

// updateParamsOf is o's update_params, or an error naming an optimizer the book does not have.
func updateParamsOf(o *kit.Optimizer) (func(o *kit.Optimizer, layer *kit.Layer), error) {
	updateParams, known := Optimizers[o.Name]
	if !known {
		return nil, fmt.Errorf("unknown optimizer %q", o.Name)
	}
	return updateParams, nil
}

// SharedOptimizer is one optimizer for two layers, as the Model uses it: per step
// pre_update_params once, update_params of each layer (each with its own state), then
// post_update_params once; the same gradients every step.
// NOTE: the iterations rise once per step, not once per layer.
func SharedOptimizer(o *kit.Optimizer, dense1, dense2 *kit.Layer, steps int) error {
	updateParams, err := updateParamsOf(o)
	if err != nil {
		return err
	}
	for range steps {
		preUpdateParams(o)
		updateParams(o, dense1)
		updateParams(o, dense2)
		postUpdateParams(o)
	}
	return nil
}

// update applies rule to every weight and bias p, with its gradient g and state.
func update(layer *kit.Layer, rule func(p *float64, g float64, momentum, cache *float64)) {
	for k, row := range layer.Weights {
		for n := range row {
			rule(&row[n], layer.Dweights[k][n], &layer.WeightMomentums[k][n],
				&layer.WeightCache[k][n])
		}
	}
	for n := range layer.Biases {
		rule(&layer.Biases[n], layer.Dbiases[n], &layer.BiasMomentums[n], &layer.BiasCache[n])
	}
}

// ---------------------------------------------------------------------------------------------
// Training (chapter 10's loop)

// Train is the book's model, Dense(K, H), ReLU, Dense(H, C), softmax with cross-entropy,
// trained full batch for the given steps with an optimizer whose state starts at zeros.
// NOTE: both layers are updated with the same iterations, which rise once per step (the
// book's post_update_params), not once per layer.
func Train(inputs [][]float64, yTrue kit.Labels, dense1, dense2 *kit.Layer, o *kit.Optimizer,
	steps int) (kit.Trajectory, error) {
	var record kit.Trajectory
	updateParams, err := updateParamsOf(o)
	if err != nil {
		return record, err
	}
	for range steps {
		net := trainStep(inputs, yTrue, dense1, dense2, o, updateParams)
		record.Loss = append(record.Loss, net.Loss)
		record.Accuracy = append(record.Accuracy, net.Accuracy)
		record.LearningRate = append(record.LearningRate, o.CurrentLearningRate)
		record.Weights1 = append(record.Weights1, cloneMatrix(dense1.Weights))
		record.Biases1 = append(record.Biases1, clone(dense1.Biases))
		record.Weights2 = append(record.Weights2, cloneMatrix(dense2.Weights))
		record.Biases2 = append(record.Biases2, clone(dense2.Biases))
	}
	return record, nil
}

// trainStep is one step of the book's loop on one batch: the forward pass, the backward pass
// (the combined softmax and cross-entropy gradient, then each layer's, to which
// Layer_Dense.backward adds its regularization gradients), then the optimizer on both layers:
// pre_update_params, update_params of each, post_update_params. It returns the forward pass,
// taken before the update (its loss and accuracy are what the step measured).
func trainStep(inputs [][]float64, yTrue kit.Labels, dense1, dense2 *kit.Layer, o *kit.Optimizer,
	updateParams func(o *kit.Optimizer, layer *kit.Layer)) kit.Network {
	net, _ := Forward(inputs, dense1.Weights, dense1.Biases, dense2.Weights, dense2.Biases,
		yTrue) // the stages here never fail

	dvalues, _ := SoftmaxCrossentropyBackward(net.Softmax, yTrue)
	var drelu1 [][]float64
	dense2.Dweights, dense2.Dbiases, drelu1, _ = DenseBackward(net.Relu1, dense2.Weights, dvalues)
	addRegularizationGradients(dense2)
	ddense1, _ := ReluBackward(net.Dense1, drelu1) // the mask is on dense1's output
	dense1.Dweights, dense1.Dbiases, _, _ = DenseBackward(inputs, dense1.Weights, ddense1)
	addRegularizationGradients(dense1)

	preUpdateParams(o)
	updateParams(o, dense1)
	updateParams(o, dense2)
	postUpdateParams(o)
	return net
}

// addRegularizationGradients is the end of Layer_Dense.backward: a layer with regularizers adds
// their gradients (the Regularization stage's, from its weights before the update) to the data
// gradients; a layer without any adds nothing.
func addRegularizationGradients(layer *kit.Layer) {
	if layer.WeightRegularizerL1 <= 0 && layer.WeightRegularizerL2 <= 0 &&
		layer.BiasRegularizerL1 <= 0 && layer.BiasRegularizerL2 <= 0 {
		return
	}
	_, dweights, dbiases, _ := Regularization(layer)
	for k, row := range dweights {
		for n, g := range row {
			layer.Dweights[k][n] += g
		}
	}
	for n, g := range dbiases {
		layer.Dbiases[n] += g
	}
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
