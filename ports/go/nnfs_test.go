package main

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBookNeuron(t *testing.T) {
	output, err := Neuron([]float64{1.2, 5.1, 2.1}, []float64{3.1, 2.1, 8.7}, 3)
	if err != nil || math.Abs(output-35.7) > 1e-12 {
		t.Errorf("Neuron = %v, %v; want 35.7", output, err)
	}
}

func TestShapeMismatch(t *testing.T) {
	_, err := Neuron([]float64{1, 2, 3}, []float64{0.5, 0.25}, 1)
	var invalid *StageError
	if !errors.As(err, &invalid) || invalid.Kind != "shape_mismatch" {
		t.Errorf("Neuron with 3 inputs and 2 weights: err = %v; want shape_mismatch", err)
	}
}

func TestSoftmaxNegativeInfinity(t *testing.T) {
	output, _ := Softmax([][]float64{{0, math.Inf(-1), 0}})
	if output[0][0] != 0.5 || output[0][1] != 0 || output[0][2] != 0.5 {
		t.Errorf("Softmax = %v; want [[0.5 0 0.5]]", output)
	}
}

func TestConfidentPredictionIsClipped(t *testing.T) {
	yTrue := Labels{Format: "sparse", Sparse: []float64{0}}
	losses, _, _ := CategoricalCrossentropy([][]float64{{1, 0}}, yTrue)
	if want := -math.Log(1 - 1e-7); losses[0] != want {
		t.Errorf("loss of a perfect prediction = %v; want %v", losses[0], want)
	}
}

// Numbers a lossy JSON reader gets wrong come back exact, and NaN travels as a string.
func TestHardNumbersRoundTrip(t *testing.T) {
	request := `{"cmd":"run","seq":7,"id":"relu/x","stage":"relu","params":{},` +
		`"inputs":{"inputs":[5e-324,2.2250738585072014e-308,1e+23,9007199254740993,"NaN"]}}`
	text, err := answer([]byte(request))
	want := `{"seq":7,"outputs":{"output":` +
		`[5e-324,2.2250738585072014e-308,1e+23,9007199254740992,"NaN"]}}`
	if err != nil || string(text) != want {
		t.Errorf("answer = %s, %v; want %s", text, err, want)
	}
}

func TestSessionEndsAtBye(t *testing.T) {
	var out strings.Builder
	input := `{"cmd":"hello","protocol":1,"suite_version":"0.1.0"}` + "\n\n" +
		`{"cmd":"bye"}` + "\n" + `{"cmd":"hello"}` + "\n"
	err := serve(strings.NewReader(input), &out)
	if err != nil || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("serve wrote %q, %v; want one hello reply", out.String(), err)
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
	loss, err := MeanAbsoluteError([][]float64{{3, 1, 2}}, [][]float64{{1, 3, 2}})
	if err != nil || loss.Dinputs[0][0] != 1.0/3 || loss.Dinputs[0][1] != -1.0/3 ||
		loss.Dinputs[0][2] != 0 {
		t.Errorf("dinputs = %v, %v; want [[1/3 -1/3 0]]", loss, err)
	}
}

// Adam's first step moves each parameter by about the learning rate, against its gradient:
// the bias correction uses iterations + 1, so the zeroed state does not shrink the step.
func TestAdamFirstStep(t *testing.T) {
	layer := NewLayerState([][]float64{{1}}, []float64{1})
	h := Hyperparameters{LearningRate: 0.001, Epsilon: 1e-7, Beta1: 0.9, Beta2: 0.999}
	next, lr, err := OptimizerStep(Adam, layer, [][]float64{{0.5}}, []float64{-2}, 0, h)
	if err != nil || lr != 0.001 || math.Abs(next.Weights[0][0]-0.999) > 1e-9 ||
		math.Abs(next.Biases[0]-1.001) > 1e-9 || layer.Weights[0][0] != 1 {
		t.Errorf("Adam step 0 = %v, %v, %v; want weights 0.999, biases 1.001", next, lr, err)
	}
}

// Without momentum, SGD leaves the momentum arrays as they came, and the decayed rate is
// recomputed from the initial one.
func TestSGDWithoutMomentum(t *testing.T) {
	layer := NewLayerState([][]float64{{1}}, []float64{0})
	layer.WeightMomentums[0][0] = 7
	h := Hyperparameters{LearningRate: 1, Decay: 0.5}
	next, lr, err := OptimizerStep(SGD, layer, [][]float64{{1}}, []float64{1}, 2, h)
	if err != nil || lr != 0.5 || next.Weights[0][0] != 0.5 || next.WeightMomentums[0][0] != 7 {
		t.Errorf("SGD step 2 = %v, %v, %v; want lr 0.5, weights 0.5, momentum 7", next, lr, err)
	}
}

// A dropout mask entry that is not 0 or 1, and a count that is not an integer, are invalid
// values; a binary target of 2 is an invalid label.
func TestInvalidValues(t *testing.T) {
	for _, request := range []string{
		`{"cmd":"run","seq":1,"stage":"dropout","params":{},"inputs":{"inputs":[[1,2]],` +
			`"mask":[[1,2]],"rate":0.5,"dvalues":[[1,1]]}}`,
		`{"cmd":"run","seq":1,"stage":"dropout","params":{},"inputs":{"inputs":[[1,2]],` +
			`"mask":[[1,0]],"rate":1,"dvalues":[[1,1]]}}`,
		`{"cmd":"run","seq":1,"stage":"sgd_step","params":{},"inputs":{"weights":[[1]],` +
			`"biases":[1],"dweights":[[1]],"dbiases":[1],"weight_momentums":[[0]],` +
			`"bias_momentums":[0],"iterations":1.5,"learning_rate":1,"decay":0,"momentum":0}}`,
	} {
		if text, _ := answer([]byte(request)); !strings.Contains(string(text), `"invalid_value"`) {
			t.Errorf("answer(%s) = %s; want invalid_value", request, text)
		}
	}
	request := `{"cmd":"run","seq":1,"stage":"binary_crossentropy","params":{},` +
		`"inputs":{"y_pred":[[0.5]],"y_true":[[2]]}}`
	if text, _ := answer([]byte(request)); !strings.Contains(string(text), `"invalid_label"`) {
		t.Errorf("answer(%s) = %s; want invalid_label", request, text)
	}
}
