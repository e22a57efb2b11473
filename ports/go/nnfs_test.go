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
