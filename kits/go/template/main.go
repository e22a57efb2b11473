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
		// DenseRelu:                       DenseRelu,
		// Softmax:                         Softmax,
		// DenseReluDenseSoftmax:           DenseReluDenseSoftmax,
		// CategoricalCrossentropy:         CategoricalCrossentropy,
		// Accuracy:                        Accuracy,
		// Forward:                         Forward,
		// DenseBackward:                   DenseBackward,
		// ReluBackward:                    ReluBackward,
		// RepeatedForward:                 RepeatedForward,
		// SoftmaxBackward:                 SoftmaxBackward,
		// CategoricalCrossentropyBackward: CategoricalCrossentropyBackward,
		// SoftmaxCrossentropyBackward:     SoftmaxCrossentropyBackward,
		// Regularization:                  Regularization,
		// Dropout:                         Dropout,
		// Sigmoid:                         Sigmoid,
		// BinaryCrossentropy:              BinaryCrossentropy,
		// BinaryAccuracy:                  BinaryAccuracy,
		// Linear:                          Linear,
		// MeanSquaredError:                MeanSquaredError,
		// MeanAbsoluteError:               MeanAbsoluteError,
		// RegressionAccuracy:              RegressionAccuracy,
		// SGDStep:                         SGDStep,
		// AdagradStep:                     AdagradStep,
		// RMSpropStep:                     RMSpropStep,
		// AdamStep:                        AdamStep,
		// SharedOptimizer:                 SharedOptimizer,
		// Training:                        Training,
		// Preprocess:                      Preprocess,
		// Batches:                         Batches,
		// Predictions:                     Predictions,
		// Evaluate:                        Evaluate,
		// ModelTraining:                   ModelTraining,
		// Parameters:                      Parameters,
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
// // DenseRelu is chapter 4's first chain: a Layer_Dense, then ReLU of its output.
// func DenseRelu(inputs, weights [][]float64, biases []float64) ([][]float64, [][]float64, error) {}
//
// // Softmax is Activation_Softmax.forward, each row exp(x - max) / sum.
// func Softmax(inputs [][]float64) ([][]float64, error) {}
//
// // DenseReluDenseSoftmax is chapter 4's network before the loss: set the Network's Dense1,
// // Relu1, Dense2 and Softmax.
// func DenseReluDenseSoftmax(inputs, weights1 [][]float64, biases1 []float64, weights2 [][]float64,
// 	biases2 []float64) (kit.Network, error) {}
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
// // RepeatedForward is one Layer_Dense and one Activation_ReLU run on inputs1 (B rows), then on
// // inputs2 (D rows), then backward(dvalues): output1, output2, dweights, dbiases, dinputs.
// func RepeatedForward(inputs1, inputs2, weights [][]float64, biases []float64,
// 	dvalues [][]float64) ([][]float64, [][]float64, [][]float64, []float64, [][]float64, error) {}
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
// // BinaryAccuracy is (y_pred > 0.5) per output, and the share of outputs that match y_true.
// func BinaryAccuracy(yPred, yTrue [][]float64) ([][]int, float64, error) {}
//
// // Linear is Activation_Linear forward and backward: the inputs and dvalues unchanged.
// func Linear(inputs, dvalues [][]float64) ([][]float64, [][]float64, error) {}
//
// // RegressionAccuracy is Accuracy_Regression: the share of |y_pred - y_true| < precision.
// func RegressionAccuracy(yPred, yTrue [][]float64, precision float64) (float64, error) {}
//
// // SGDStep and the others are one step on one layer: pre_update_params (set
// // o.CurrentLearningRate), update_params(layer), post_update_params (o.Iterations++).
// func SGDStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func AdagradStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func RMSpropStep(o *kit.Optimizer, layer *kit.Layer) error {}
// func AdamStep(o *kit.Optimizer, layer *kit.Layer) error {}
//
// // SharedOptimizer is one Adam (o) for two layers: steps times pre_update_params,
// // update_params(dense1), update_params(dense2), post_update_params.
// func SharedOptimizer(o *kit.Optimizer, dense1, dense2 *kit.Layer, steps int) error {}
//
// // Training is chapter 10's loop for steps steps with the optimizer o.Name.
// func Training(inputs [][]float64, yTrue kit.Labels, dense1, dense2 *kit.Layer,
// 	o *kit.Optimizer, steps int) (kit.Trajectory, error) {}
//
// // The Model (chapters 18-22).
// // Preprocess is chapter 19's: images flattened, (X - 127.5) / 127.5, then X[keys], y[keys].
// func Preprocess(images [][][]uint8, labels, keys []int) ([][]float64, []int, error) {}
//
// // Batches is Model.train's steps for batchSize, each batch's size, first and last row.
// func Batches(inputs [][]float64, batchSize int) (int, []int, [][]float64, [][]float64, error) {}
//
// // Predictions is the output activation's predictions(): "softmax" a []int of classes,
// // "sigmoid" a [][]int of 0s and 1s, "linear" the [][]float64 outputs.
// func Predictions(inputs [][]float64, activation string) (any, error) {}
//
// // Evaluate is Model.evaluate: loss and accuracy accumulated over batches of batchSize.
// func Evaluate(yPred [][]float64, yTrue kit.Labels, batchSize int) (float64, float64, error) {}
//
// // ModelTraining is chapters 18-19's Model.train(X, y, epochs, batch_size, validation_data): per
// // epoch, mini-batches of batchSize through Dense(K, H) (dense1 has the four regularizers), ReLU,
// // Dense(H, C), softmax + cross-entropy and the optimizer o.Name; then Model.evaluate of the
// // validation set (its own M samples). Return each epoch's values; the kit reads the layers after.
// func ModelTraining(inputs [][]float64, yTrue kit.Labels, validationInputs [][]float64,
// 	validationYTrue kit.Labels, dense1, dense2 *kit.Layer, o *kit.Optimizer, epochs,
// 	batchSize int) (kit.Epochs, error) {}
//
// // Parameters is chapter 21: save the two layers' parameters to a file, load them into fresh
// // layers, and give those back with the loaded model's softmax output on inputs.
// func Parameters(inputs [][]float64, dense1, dense2 *kit.Layer) (*kit.Layer, *kit.Layer,
// 	[][]float64, error) {}
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
