package main

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"nnfsconform/kit"
)

func TestBookNeuron(t *testing.T) {
	output, err := Neuron([]float64{1.2, 5.1, 2.1}, []float64{3.1, 2.1, 8.7}, 3)
	if err != nil || math.Abs(output-35.7) > 1e-12 {
		t.Errorf("Neuron = %v, %v; want 35.7", output, err)
	}
}

func TestSoftmaxNegativeInfinity(t *testing.T) {
	output, _ := Softmax([][]float64{{0, math.Inf(-1), 0}})
	if output[0][0] != 0.5 || output[0][1] != 0 || output[0][2] != 0.5 {
		t.Errorf("Softmax = %v; want [[0.5 0 0.5]]", output)
	}
}

func TestConfidentPredictionIsClipped(t *testing.T) {
	losses, _, _ := CategoricalCrossentropy([][]float64{{1, 0}}, kit.Labels{Sparse: []int{0}})
	if want := -math.Log(1 - 1e-7); losses[0] != want {
		t.Errorf("loss of a perfect prediction = %v; want %v", losses[0], want)
	}
}

// The ReLU's gradient is masked on the forward inputs: 0 where an input is 0 or -0.0, and a
// negative dvalue passes where the input is positive.
func TestReluBackwardMasksOnInputs(t *testing.T) {
	dinputs, err := ReluBackward([][]float64{{0, math.Copysign(0, -1), 2, -1}},
		[][]float64{{5, 5, -3, 5}})
	if err != nil || dinputs[0][0] != 0 || dinputs[0][1] != 0 || dinputs[0][2] != -3 ||
		dinputs[0][3] != 0 {
		t.Errorf("ReluBackward = %v, %v; want [[0 0 -3 0]]", dinputs, err)
	}
}

// dbiases is the sum of dvalues over the batch, one value per neuron.
func TestDenseBackwardSumsBiasGradients(t *testing.T) {
	_, dbiases, _, err := DenseBackward([][]float64{{1}, {2}, {3}}, [][]float64{{1, 1}},
		[][]float64{{1, 10}, {2, 20}, {3, 30}})
	if err != nil || len(dbiases) != 2 || dbiases[0] != 6 || dbiases[1] != 60 {
		t.Errorf("dbiases = %v, %v; want [6 60]", dbiases, err)
	}
}

// The gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
func TestMeanAbsoluteErrorGradientSign(t *testing.T) {
	_, _, dinputs, err := MeanAbsoluteError([][]float64{{3, 1, 2}}, [][]float64{{1, 3, 2}})
	if err != nil || dinputs[0][0] != 1.0/3 || dinputs[0][1] != -1.0/3 || dinputs[0][2] != 0 {
		t.Errorf("dinputs = %v, %v; want [[1/3 -1/3 0]]", dinputs, err)
	}
}

// layer is a one-weight layer with its gradients and the optimizer state at zeros.
func layer(weight, bias, dweight, dbias float64) *kit.Layer {
	return &kit.Layer{Weights: [][]float64{{weight}}, Biases: []float64{bias},
		Dweights: [][]float64{{dweight}}, Dbiases: []float64{dbias},
		WeightMomentums: [][]float64{{0}}, WeightCache: [][]float64{{0}},
		BiasMomentums: []float64{0}, BiasCache: []float64{0}}
}

// Adam's first step moves each parameter by about the learning rate, against its gradient:
// the bias correction uses iterations + 1, so the zeroed state does not shrink the step.
func TestAdamFirstStep(t *testing.T) {
	l := layer(1, 1, 0.5, -2)
	o := &kit.Optimizer{LearningRate: 0.001, CurrentLearningRate: 0.001, Epsilon: 1e-7,
		Beta1: 0.9, Beta2: 0.999}
	err := Step(Adam)(o, l)
	if err != nil || o.CurrentLearningRate != 0.001 || o.Iterations != 1 ||
		math.Abs(l.Weights[0][0]-0.999) > 1e-9 || math.Abs(l.Biases[0]-1.001) > 1e-9 {
		t.Errorf("Adam step 0 = %v, %v, %v; want weights 0.999, biases 1.001", l, o, err)
	}
}

// Without momentum, SGD leaves the momentum arrays as they came, and the decayed rate is
// recomputed from the initial one.
func TestSGDWithoutMomentum(t *testing.T) {
	l := layer(1, 0, 1, 1)
	l.WeightMomentums[0][0] = 7
	o := &kit.Optimizer{LearningRate: 1, CurrentLearningRate: 1, Decay: 0.5, Iterations: 2}
	err := Step(SGD)(o, l)
	if err != nil || o.CurrentLearningRate != 0.5 || l.Weights[0][0] != 0.5 ||
		l.WeightMomentums[0][0] != 7 || o.Iterations != 3 {
		t.Errorf("SGD step 2 = %v, %v, %v; want lr 0.5, weights 0.5, momentum 7", l, o, err)
	}
}

// A short last batch is a step of its own, and a batch larger than the data is one step.
func TestBatchesKeepTheShortLastBatch(t *testing.T) {
	inputs := [][]float64{{0}, {1}, {2}, {3}, {4}}
	steps, sizes, first, last, _ := Batches(inputs, 2)
	if steps != 3 || !slices.Equal(sizes, []int{2, 2, 1}) || first[2][0] != 4 || last[1][0] != 3 {
		t.Errorf("Batches(5 rows, 2) = %v %v %v %v; want 3 steps of 2, 2, 1", steps, sizes, first, last)
	}
	if steps, sizes, _, _, _ := Batches(inputs, 8); steps != 1 || sizes[0] != 5 {
		t.Errorf("Batches(5 rows, 8) = %v %v; want one step of 5", steps, sizes)
	}
}

// Evaluate divides the sums by the counts once: with a short last batch that is not the mean
// of the batch means (here 2/3 right, where the batch means would give (1/2 + 1) / 2).
func TestEvaluateAccumulatesOverBatches(t *testing.T) {
	yPred := [][]float64{{0.75, 0.25}, {0.75, 0.25}, {0.25, 0.75}}
	_, accuracy, _ := Evaluate(yPred, kit.Labels{Sparse: []int{0, 1, 1}}, 2)
	if accuracy != 2.0/3 {
		t.Errorf("accuracy = %v; want 2/3", accuracy)
	}
}

// The saved file keeps every digit: the loaded layers are the saved ones bit for bit.
func TestParametersSurviveTheFile(t *testing.T) {
	dense1 := &kit.Layer{Weights: [][]float64{{0.1 + 0.2, 1e-300}}, Biases: []float64{math.Pi, -0.0}}
	dense2 := &kit.Layer{Weights: [][]float64{{1}, {math.Nextafter(1, 2)}}, Biases: []float64{5e-324}}
	loaded1, loaded2, output, err := Parameters([][]float64{{1}}, dense1, dense2)
	if err != nil || !reflect.DeepEqual(loaded1.Weights, dense1.Weights) ||
		!reflect.DeepEqual(loaded1.Biases, dense1.Biases) || !reflect.DeepEqual(loaded2.Weights, dense2.Weights) ||
		!reflect.DeepEqual(loaded2.Biases, dense2.Biases) || len(output) != 1 || output[0][0] != 1 {
		t.Errorf("Parameters = %v %v %v, %v; want the layers back and a softmax of one class", loaded1, loaded2, output, err)
	}
}

// Preprocess scales bytes to [-1, 1] row by row, then takes the rows in the keys' order.
func TestPreprocessScalesFlattensAndShuffles(t *testing.T) {
	x, y, _ := Preprocess([][][]uint8{{{0, 255}, {127, 128}}, {{255, 255}, {0, 0}}}, []int{7, 8}, []int{1, 0})
	want := [][]float64{{1, 1, -1, -1}, {-1, 1, -0.5 / 127.5, 0.5 / 127.5}}
	if !reflect.DeepEqual(x, want) || !slices.Equal(y, []int{8, 7}) {
		t.Errorf("Preprocess = %v %v; want %v [8 7]", x, y, want)
	}
}

// Model.train's epoch: with a learning rate of 0 nothing moves, so the epoch's data loss is the
// whole set's mean loss (accumulated over its 2, 2 and 1 samples, not the mean of the batch
// means), the printed loss adds the first layer's L2 penalty and the validation loss does not.
// With a decaying rate, the iterations keep counting across epochs: 3 steps each, so the rate
// after epoch e is 1 / (1 + 3e - 1).
func TestModelTrainingAccumulatesEpochsAndValidates(t *testing.T) {
	inputs := [][]float64{{1, 0}, {0, 1}, {1, 1}, {-1, 0}, {0.5, -1}}
	yTrue := kit.Labels{Sparse: []int{0, 1, 1, 0, 1}}
	validationInputs := [][]float64{{2, 1}, {-1, -1}}
	validationYTrue := kit.Labels{Sparse: []int{1, 0}}
	model := func(learningRate, decay float64) (*kit.Layer, *kit.Layer, *kit.Optimizer) {
		dense1 := layerOf([][]float64{{0.5, -0.25}, {0.75, 1}}, []float64{0.125, 0})
		dense1.WeightRegularizerL2 = 0.5
		dense2 := layerOf([][]float64{{1, -1}, {-0.5, 0.5}}, []float64{0, 0.25})
		return dense1, dense2, &kit.Optimizer{Name: "sgd", LearningRate: learningRate,
			CurrentLearningRate: learningRate, Decay: decay}
	}
	dense1, dense2, o := model(0, 0)
	e, err := ModelTraining(inputs, yTrue, validationInputs, validationYTrue, dense1, dense2, o, 2, 2)
	whole, _ := Forward(inputs, dense1.Weights, dense1.Biases, dense2.Weights, dense2.Biases, yTrue)
	validation, _ := Forward(validationInputs, dense1.Weights, dense1.Biases, dense2.Weights,
		dense2.Biases, validationYTrue)
	penalty := 0.5 * (0.5*0.5 + 0.25*0.25 + 0.75*0.75 + 1)
	if err != nil || len(e.Loss) != 2 || e.DataLoss[1] != whole.Loss || e.Accuracy[1] != whole.Accuracy ||
		e.RegularizationLoss[1] != penalty || e.Loss[1] != whole.Loss+penalty ||
		e.ValidationLoss[1] != validation.Loss || e.ValidationAccuracy[1] != validation.Accuracy ||
		o.Iterations != 6 {
		t.Errorf("ModelTraining = %+v, %v (%d steps); want data loss %v, accuracy %v, regularization %v, "+
			"validation %v and %v, 6 steps", e, err, o.Iterations, whole.Loss, whole.Accuracy, penalty,
			validation.Loss, validation.Accuracy)
	}
	dense1, dense2, o = model(1, 1)
	e, _ = ModelTraining(inputs, yTrue, validationInputs, validationYTrue, dense1, dense2, o, 2, 2)
	if !slices.Equal(e.LearningRate, []float64{1.0 / 3, 1.0 / 6}) {
		t.Errorf("learning rates = %v; want [1/3 1/6]", e.LearningRate)
	}
}

// layerOf is a layer of these parameters with its optimizer state at zeros.
func layerOf(weights [][]float64, biases []float64) *kit.Layer {
	return &kit.Layer{Weights: weights, Biases: biases,
		WeightMomentums: zeros(len(weights), len(biases)), WeightCache: zeros(len(weights), len(biases)),
		BiasMomentums: make([]float64, len(biases)), BiasCache: make([]float64, len(biases))}
}
