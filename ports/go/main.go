// The Go port of nnfs-conformance: the book's stages (nnfs.go, training.go, model.go) and the book tier
// (book.go) served by the Go kit (kits/go), which owns the protocol, the input checks and the
// error replies.
// Run it under the suite's runner:  nnfs-conform run -- ports/go/nnfs-port

package main

import "nnfsconform/kit"

func main() {
	kit.Serve(kit.Port{Name: "go-plain", Version: "0.1.0", Stages: kit.Stages{
		Neuron:                          Neuron,
		Layer:                           Layer,
		DenseBatch:                      DenseBatch,
		Relu:                            Relu,
		DenseRelu:                       DenseRelu,
		Softmax:                         Softmax,
		DenseReluDenseSoftmax:           DenseReluDenseSoftmax,
		CategoricalCrossentropy:         CategoricalCrossentropy,
		Accuracy:                        Accuracy,
		Forward:                         Forward,
		DenseBackward:                   DenseBackward,
		ReluBackward:                    ReluBackward,
		RepeatedForward:                 RepeatedForward,
		SoftmaxBackward:                 SoftmaxBackward,
		CategoricalCrossentropyBackward: CategoricalCrossentropyBackward,
		SoftmaxCrossentropyBackward:     SoftmaxCrossentropyBackward,
		Regularization:                  Regularization,
		Dropout:                         Dropout,
		Sigmoid:                         Sigmoid,
		BinaryCrossentropy:              BinaryCrossentropy,
		BinaryAccuracy:                  BinaryAccuracy,
		Linear:                          Linear,
		MeanSquaredError:                MeanSquaredError,
		MeanAbsoluteError:               MeanAbsoluteError,
		RegressionAccuracy:              RegressionAccuracy,
		SGDStep:                         Step(SGD),
		AdagradStep:                     Step(Adagrad),
		RMSpropStep:                     Step(RMSprop),
		AdamStep:                        Step(Adam),
		SharedOptimizer:                 SharedOptimizer,
		Training:                        Train,
		Preprocess:                      Preprocess, // the Model: model.go
		Batches:                         Batches,
		Predictions:                     Predictions,
		Evaluate:                        Evaluate,
		ModelTraining:                   ModelTraining,
		Parameters:                      Parameters,
		Rng:                             Rng, // the book tier: book.go
		Datasets:                        Datasets,
		Init:                            Init,
		Shuffle:                         Shuffle,
		Chapters:                        Chapters,
	}})
}
