// {{name}}: the network of "Neural Networks from Scratch", served by the nnfs-conformance kit.
//
// Each stage is one function with the kit's signature. The kit has checked the inputs
// (shapes, labels, domains) before it calls you; return the outputs, or an error. Uncomment
// a stage's line in main when you have written it.

package main

import (
	"nnfsconform/kit"
)

func main() {
	kit.Serve(kit.Port{Name: "{{name}}", Dtype: "float64", Stages: kit.Stages{
		Neuron:     Neuron,
		DenseBatch: DenseBatch,
		// Layer:                           Layer,
		// Relu:                            Relu,
		// Softmax:                         Softmax,
		// CategoricalCrossentropy:         CategoricalCrossentropy,
		// Accuracy:                        Accuracy,
		// Forward:                         Forward,
		// DenseBackward:                   DenseBackward,
		// ReluBackward:                    ReluBackward,
		// SoftmaxBackward:                 SoftmaxBackward,
		// CategoricalCrossentropyBackward: CategoricalCrossentropyBackward,
		// SoftmaxCrossentropyBackward:     SoftmaxCrossentropyBackward,
		// Regularization:                  Regularization,
		// Dropout:                         Dropout,
		// Sigmoid:                         Sigmoid,
		// BinaryCrossentropy:              BinaryCrossentropy,
		// MeanSquaredError:                MeanSquaredError,
		// MeanAbsoluteError:               MeanAbsoluteError,
		// SGDStep:                         SGDStep,
		// AdagradStep:                     AdagradStep,
		// RMSpropStep:                     RMSpropStep,
		// AdamStep:                        AdamStep,
		// Training:                        Training,
		// Rng:                             Rng,
		// Datasets:                        Datasets,
		// Init:                            Init,
		// Shuffle:                         Shuffle,
		// Chapters:                        Chapters,
	}})
}

// Neuron is chapter 2's single neuron: the sum of inputs[k]*weights[k], plus the bias.
func Neuron(inputs, weights []float64, bias float64) (float64, error) {
	output := bias
	for k := range inputs {
		output += inputs[k] * weights[k]
	}
	return output, nil
}

// LayerDense is the book's Layer_Dense: weights (n_inputs, n_neurons), biases (n_neurons).
type LayerDense struct {
	Weights [][]float64
	Biases  []float64
	Output  [][]float64
}

// Forward is Layer_Dense.forward: output = inputs @ weights + biases.
func (layer *LayerDense) Forward(inputs [][]float64) {
	layer.Output = make([][]float64, len(inputs))
	for b, sample := range inputs {
		layer.Output[b] = make([]float64, len(layer.Biases))
		for n, bias := range layer.Biases {
			total := 0.0
			for k, x := range sample {
				total += x * layer.Weights[k][n]
			}
			layer.Output[b][n] = total + bias
		}
	}
}

// DenseBatch is a batch through a Layer_Dense. The weights always come (K, N); the kit
// transposes the cases that send chapter 2's rows of weights per neuron.
func DenseBatch(inputs, weights [][]float64, biases []float64) ([][]float64, error) {
	dense := LayerDense{Weights: weights, Biases: biases}
	dense.Forward(inputs)
	return dense.Output, nil
}

// The other stages (docs/STAGES.md has each one's formula). Uncomment, write, and set it in main.
// Matrices are rows: inputs (B samples, K), weights (K, N), labels kit.Labels{Sparse | OneHot}.

// // Layer is chapter 2's layer: weights (N, K), a row per neuron; output (N).
// func Layer(inputs []float64, weights [][]float64, biases []float64) ([]float64, error) {}
//
// // Relu is Activation_ReLU.forward, max(0, x); a rank-1 input comes as one row.
// func Relu(inputs [][]float64) ([][]float64, error) {}
//
// // Softmax is Activation_Softmax.forward, each row exp(x - max) / sum.
// func Softmax(inputs [][]float64) ([][]float64, error) {}
//
// // CategoricalCrossentropy is Loss_CategoricalCrossentropy: each sample's loss and the mean.
// func CategoricalCrossentropy(yPred [][]float64, yTrue kit.Labels) ([]float64, float64, error) {}
//
// // Accuracy is argmax of each row and the fraction that match the labels.
// func Accuracy(yPred [][]float64, yTrue kit.Labels) ([]int, float64, error) {}
//
// // Forward is chapter 5's network: dense, ReLU, dense, softmax, loss, accuracy.
// func Forward(inputs, weights1 [][]float64, biases1 []float64, weights2 [][]float64,
// 	biases2 []float64, yTrue kit.Labels) (kit.Network, error) {}
//
// // DenseBackward is Layer_Dense.backward: dweights, dbiases, dinputs.
// func DenseBackward(inputs, weights, dvalues [][]float64) ([][]float64, []float64, [][]float64, error) {}
//
// // ReluBackward is Activation_ReLU.backward: dvalues where the inputs are > 0.
// func ReluBackward(inputs, dvalues [][]float64) ([][]float64, error) {}
//
// // SoftmaxBackward is Activation_Softmax.backward, given its forward output.
// func SoftmaxBackward(output, dvalues [][]float64) ([][]float64, error) {}
//
// // CategoricalCrossentropyBackward is Loss_CategoricalCrossentropy.backward.
// func CategoricalCrossentropyBackward(yPred [][]float64, yTrue kit.Labels) ([][]float64, error) {}
//
// // SoftmaxCrossentropyBackward is Activation_Softmax_Loss_CategoricalCrossentropy.backward.
// func SoftmaxCrossentropyBackward(yPred [][]float64, yTrue kit.Labels) ([][]float64, error) {}
//
// // Regularization is the layer's L1/L2 loss and its own dweights, dbiases.
// func Regularization(layer *kit.Layer) (float64, [][]float64, []float64, error) {}
//
// // Dropout is Layer_Dropout forward and backward, with the case's mask of 0s and 1s.
// func Dropout(inputs, mask [][]float64, rate float64, dvalues [][]float64) ([][]float64, [][]float64, error) {}
//
// // Sigmoid is Activation_Sigmoid forward and backward.
// func Sigmoid(inputs, dvalues [][]float64) ([][]float64, [][]float64, error) {}
//
// // BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError: sample losses, mean, dinputs.
// func BinaryCrossentropy(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {}
// func MeanSquaredError(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {}
// func MeanAbsoluteError(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error) {}
//
// // SGDStep and the others are one step on one layer: pre_update_params (set
// // o.CurrentLearningRate), update_params(layer), post_update_params (o.Iterations++).
// func SGDStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func AdagradStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func RMSpropStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func AdamStep(o *kit.Optimizer, layer *kit.Layer) error {}
//
// // Training is chapter 10's loop for steps steps with the optimizer o.Name.
// func Training(inputs [][]float64, yTrue kit.Labels, dense1, dense2 *kit.Layer,
// 	o *kit.Optimizer, steps int) (kit.Trajectory, error) {}
//
// // The book tier (docs/BOOK.md): the book's own numbers, in its float32 arithmetic.
// // Rng is np.random.seed(seed)'s legacy stream: every draw of the calls, in order.
// func Rng(seed uint32, calls []kit.RngCall) ([]float64, error) {}
//
// // Datasets is nnfs's spiral_data, vertical_data (X, Y labels) or sine_data (X, Targets).
// func Datasets(dataset string, seed uint32, samples, classes int) (kit.Dataset, error) {}
//
// // Init is the weights of Layer_Dense(n_inputs, n_neurons) made in order after skip Gaussians.
// func Init(seed uint32, skip int, shapes []kit.LayerShape, scale float64) ([]float64, error) {}
//
// // Shuffle is chapter 19's np.random.shuffle of the keys 0 .. samples-1, after np.random.seed.
// func Shuffle(seed uint32, samples int) ([]int, error) {}
//
// // Chapters is the book's chapter 3-10 script: what it prints (printed) after steps steps.
// func Chapters(seed uint32, samples, classes, hidden, steps int, printed string,
// 	o *kit.Optimizer) (any, error) {}
