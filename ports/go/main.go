// The Go port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout.
//
// Reads one message a line, answers each with one line, and flushes. Serves both transports:
// a session (many messages, then {"cmd":"bye"}) and one-shot (one message, then end of input).
// Run it under the suite's runner:  nnfs-conform run -- ports/go/nnfs-port

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

var hello = map[string]any{
	"protocol": 1,
	"name":     "go-plain",
	"language": "go",
	"dtype":    "float64",
	"stages": []string{"neuron", "layer", "dense_batch", "relu", "softmax",
		"categorical_crossentropy", "accuracy", "forward",
		"dense_backward", "relu_backward", "softmax_backward",
		"categorical_crossentropy_backward", "softmax_crossentropy_backward",
		"regularization", "dropout", "sigmoid", "binary_crossentropy",
		"mean_squared_error", "mean_absolute_error",
		"sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "training"},
	"label_formats": []string{"sparse", "onehot"},
	"checks_inputs": true,
	"version":       "0.1.0",
}

// message is any message from the runner; run messages use every field.
type message struct {
	Cmd    string         `json:"cmd"`
	Seq    int64          `json:"seq"`
	Stage  string         `json:"stage"`
	Inputs map[string]any `json:"inputs"`
	Params map[string]any `json:"params"`
}

// reply answers a run message: its outputs, or the kind of error its inputs have.
type reply struct {
	Seq     int64          `json:"seq"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Error   *replyError    `json:"error,omitempty"`
}

type replyError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// run computes one stage from a run message's inputs and params.
func run(stage string, in *args) (map[string]any, error) {
	switch stage {
	case "neuron":
		inputs, weights, bias := in.vector("inputs"), in.vector("weights"), in.scalar("bias")
		if in.err != nil {
			return nil, in.err
		}
		output, err := Neuron(inputs, weights, bias)
		return map[string]any{"output": output}, err
	case "layer":
		inputs, weights, biases := in.vector("inputs"), in.matrix("weights"), in.vector("biases")
		if in.err != nil {
			return nil, in.err
		}
		output, err := Layer(inputs, weights, biases)
		return map[string]any{"output": output}, err
	case "dense_batch":
		inputs, weights, biases := in.matrix("inputs"), in.matrix("weights"), in.vector("biases")
		layout := in.param("weights_layout", "inputs_neurons")
		if in.err != nil {
			return nil, in.err
		}
		output, err := DenseBatch(inputs, weights, biases, layout)
		return map[string]any{"output": output}, err
	case "relu": // rank 1 or rank 2
		if !hasRows(in.get("inputs")) {
			inputs := in.vector("inputs")
			return map[string]any{"output": Relu(inputs)}, in.err
		}
		inputs := in.matrix("inputs")
		output := make([][]float64, len(inputs))
		for b, row := range inputs {
			output[b] = Relu(row)
		}
		return map[string]any{"output": output}, in.err
	case "softmax":
		inputs := in.matrix("inputs")
		if in.err != nil {
			return nil, in.err
		}
		output, err := Softmax(inputs)
		return map[string]any{"output": output}, err
	case "categorical_crossentropy":
		yPred, yTrue := in.matrix("y_pred"), in.labels("y_true", in.param("label_format", ""))
		if in.err != nil {
			return nil, in.err
		}
		sampleLosses, loss, err := CategoricalCrossentropy(yPred, yTrue)
		return map[string]any{"sample_losses": sampleLosses, "loss": loss}, err
	case "accuracy":
		yPred, yTrue := in.matrix("y_pred"), in.labels("y_true", in.param("label_format", ""))
		if in.err != nil {
			return nil, in.err
		}
		predictions, accuracy, err := Accuracy(yPred, yTrue)
		return map[string]any{"predictions": predictions, "accuracy": accuracy}, err
	case "forward":
		inputs := in.matrix("inputs")
		weights1, biases1 := in.matrix("weights1"), in.vector("biases1")
		weights2, biases2 := in.matrix("weights2"), in.vector("biases2")
		yTrue := in.labels("y_true", in.param("label_format", ""))
		if in.err != nil {
			return nil, in.err
		}
		net, err := Forward(inputs, weights1, biases1, weights2, biases2, yTrue)
		if err != nil {
			return nil, err
		}
		return map[string]any{"dense1": net.Dense1, "relu1": net.Relu1, "dense2": net.Dense2,
			"softmax": net.Softmax, "sample_losses": net.SampleLosses, "loss": net.Loss,
			"predictions": net.Predictions, "accuracy": net.Accuracy}, nil
	case "dense_backward":
		inputs, weights, dvalues := in.matrix("inputs"), in.weights("weights"), in.matrix("dvalues")
		if in.err != nil {
			return nil, in.err
		}
		dweights, dbiases, dinputs, err := DenseBackward(inputs, weights, dvalues)
		return map[string]any{"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}, err
	case "relu_backward": // rank 1 or 2; a rank-1 input is one row
		if !hasRows(in.get("inputs")) {
			inputs, dvalues := in.vector("inputs"), in.vector("dvalues")
			if in.err != nil {
				return nil, in.err
			}
			dinputs, err := ReluBackward([][]float64{inputs}, [][]float64{dvalues})
			if err != nil {
				return nil, err
			}
			return map[string]any{"dinputs": dinputs[0]}, nil
		}
		inputs, dvalues := in.matrix("inputs"), in.matrix("dvalues")
		if in.err != nil {
			return nil, in.err
		}
		dinputs, err := ReluBackward(inputs, dvalues)
		return map[string]any{"dinputs": dinputs}, err
	case "softmax_backward":
		output, dvalues := in.matrix("output"), in.matrix("dvalues")
		if in.err != nil {
			return nil, in.err
		}
		dinputs, err := SoftmaxBackward(output, dvalues)
		return map[string]any{"dinputs": dinputs}, err
	case "categorical_crossentropy_backward":
		yPred, yTrue := in.matrix("y_pred"), in.labels("y_true", in.param("label_format", ""))
		if in.err != nil {
			return nil, in.err
		}
		dinputs, err := CategoricalCrossentropyBackward(yPred, yTrue)
		return map[string]any{"dinputs": dinputs}, err
	case "softmax_crossentropy_backward":
		yPred, yTrue := in.matrix("y_pred"), in.labels("y_true", in.param("label_format", ""))
		path := in.param("path", "combined")
		if in.err != nil {
			return nil, in.err
		}
		dinputs, err := SoftmaxCrossentropyBackward(yPred, yTrue, path)
		return map[string]any{"dinputs": dinputs}, err
	case "regularization":
		weights, biases := in.weights("weights"), in.vector("biases")
		factors := Regularizers{in.scalar("weight_regularizer_l1"),
			in.scalar("weight_regularizer_l2"), in.scalar("bias_regularizer_l1"),
			in.scalar("bias_regularizer_l2")}
		if in.err != nil {
			return nil, in.err
		}
		loss, dweights, dbiases, err := Regularization(weights, biases, factors)
		return map[string]any{"loss": loss, "dweights": dweights, "dbiases": dbiases}, err
	case "dropout":
		inputs, mask := in.matrix("inputs"), in.binary("mask", "invalid_value")
		rate, dvalues := in.scalar("rate"), in.matrix("dvalues")
		if in.err != nil {
			return nil, in.err
		}
		output, dinputs, err := Dropout(inputs, mask, rate, dvalues)
		return map[string]any{"output": output, "dinputs": dinputs}, err
	case "sigmoid":
		inputs, dvalues := in.matrix("inputs"), in.matrix("dvalues")
		if in.err != nil {
			return nil, in.err
		}
		output, dinputs, err := Sigmoid(inputs, dvalues)
		return map[string]any{"output": output, "dinputs": dinputs}, err
	case "binary_crossentropy", "mean_squared_error", "mean_absolute_error":
		yPred := in.matrix("y_pred")
		var yTrue [][]float64
		if stage == "binary_crossentropy" {
			yTrue = in.binary("y_true", "invalid_label") // labels, not measurements
		} else {
			yTrue = in.matrix("y_true")
		}
		if in.err != nil {
			return nil, in.err
		}
		loss, err := losses[stage](yPred, yTrue)
		if err != nil {
			return nil, err
		}
		return map[string]any{"sample_losses": loss.SampleLosses, "loss": loss.Loss,
			"dinputs": loss.Dinputs}, nil
	case "sgd_step", "adagrad_step", "rmsprop_step", "adam_step":
		return optimizerStep(strings.TrimSuffix(stage, "_step"), in)
	case "training":
		inputs, yTrue := in.matrix("inputs"), in.labels("y_true", in.param("label_format", ""))
		weights1, biases1 := in.weights("weights1"), in.vector("biases1")
		weights2, biases2 := in.weights("weights2"), in.vector("biases2")
		steps := in.count("steps", 1)
		var h Hyperparameters
		for _, name := range []string{"learning_rate", "decay", "momentum", "epsilon", "rho",
			"beta_1", "beta_2"} {
			*h.field(name) = in.scalar(name)
		}
		optimizer, known := Optimizers[in.param("optimizer", "")]
		if in.err != nil {
			return nil, in.err
		}
		if !known {
			return nil, fmt.Errorf("unknown optimizer %q", in.param("optimizer", ""))
		}
		record, err := Train(inputs, yTrue, weights1, biases1, weights2, biases2, steps,
			optimizer, h)
		if err != nil {
			return nil, err
		}
		return map[string]any{"loss": record.Loss, "accuracy": record.Accuracy,
			"learning_rate": record.LearningRate, "weights1": record.Weights1,
			"biases1": record.Biases1, "weights2": record.Weights2, "biases2": record.Biases2}, nil
	}
	return nil, fmt.Errorf("unknown stage %q", stage)
}

// losses are the loss stages that return sample losses, their mean and dinputs.
var losses = map[string]func(yPred, yTrue [][]float64) (*Loss, error){
	"binary_crossentropy": BinaryCrossentropy,
	"mean_squared_error":  MeanSquaredError,
	"mean_absolute_error": MeanAbsoluteError,
}

// optimizerState and optimizerHyperparameters are the inputs each optimizer step reads
// besides the layer's parameters, its gradients and iterations.
var (
	optimizerState = map[string][]string{
		"sgd":     {"weight_momentums", "bias_momentums"},
		"adagrad": {"weight_cache", "bias_cache"},
		"rmsprop": {"weight_cache", "bias_cache"},
		"adam":    {"weight_momentums", "bias_momentums", "weight_cache", "bias_cache"},
	}
	optimizerHyperparameters = map[string][]string{
		"sgd":     {"learning_rate", "decay", "momentum"},
		"adagrad": {"learning_rate", "decay", "epsilon"},
		"rmsprop": {"learning_rate", "decay", "epsilon", "rho"},
		"adam":    {"learning_rate", "decay", "epsilon", "beta_1", "beta_2"},
	}
)

// optimizerStep runs the sgd, adagrad, rmsprop or adam step stage: the state it does not
// use stays at zeros and is not returned.
func optimizerStep(name string, in *args) (map[string]any, error) {
	layer := NewLayerState(in.weights("weights"), in.vector("biases"))
	dweights, dbiases := in.matrix("dweights"), in.vector("dbiases")
	for _, state := range optimizerState[name] {
		if matrix := layer.matrix(state); matrix != nil {
			*matrix = in.matrix(state)
		} else {
			*layer.vector(state) = in.vector(state)
		}
	}
	iterations := in.count("iterations", 0)
	var h Hyperparameters
	for _, hyperparameter := range optimizerHyperparameters[name] {
		*h.field(hyperparameter) = in.scalar(hyperparameter)
	}
	if in.err != nil {
		return nil, in.err
	}
	next, lr, err := OptimizerStep(Optimizers[name], layer, dweights, dbiases, iterations, h)
	if err != nil {
		return nil, err
	}
	outputs := map[string]any{"weights": next.Weights, "biases": next.Biases,
		"learning_rate": lr, "iterations": iterations + 1}
	for _, state := range optimizerState[name] {
		if matrix := next.matrix(state); matrix != nil {
			outputs[state] = *matrix
		} else {
			outputs[state] = *next.vector(state)
		}
	}
	return outputs, nil
}

// matrix is the weight state of the given input name, or nil for a bias state.
func (layer *LayerState) matrix(name string) *[][]float64 {
	return map[string]*[][]float64{"weight_momentums": &layer.WeightMomentums,
		"weight_cache": &layer.WeightCache}[name]
}

// vector is the bias state of the given input name, or nil for a weight state.
func (layer *LayerState) vector(name string) *[]float64 {
	return map[string]*[]float64{"bias_momentums": &layer.BiasMomentums,
		"bias_cache": &layer.BiasCache}[name]
}

// field is the hyperparameter of the given input name.
func (h *Hyperparameters) field(name string) *float64 {
	return map[string]*float64{"learning_rate": &h.LearningRate, "decay": &h.Decay,
		"momentum": &h.Momentum, "epsilon": &h.Epsilon, "rho": &h.Rho, "beta_1": &h.Beta1,
		"beta_2": &h.Beta2}[name]
}

// encode writes NaN and the infinities as the protocol's strings: encoding/json refuses them.
func encode(value any) any {
	switch v := value.(type) {
	case float64:
		if math.IsNaN(v) {
			return "NaN"
		}
		if math.IsInf(v, 1) {
			return "Infinity"
		}
		if math.IsInf(v, -1) {
			return "-Infinity"
		}
	case []float64:
		list := make([]any, len(v))
		for i, x := range v {
			list[i] = encode(x)
		}
		return list
	case [][]float64:
		list := make([]any, len(v))
		for i, row := range v {
			list[i] = encode(row)
		}
		return list
	case [][][]float64:
		list := make([]any, len(v))
		for i, matrix := range v {
			list[i] = encode(matrix)
		}
		return list
	}
	return value
}

// answer is the reply to one line, or nil for bye. It fails on anything that is not the
// protocol; the kinds of invalid inputs are replies, not failures.
func answer(line []byte) ([]byte, error) {
	var msg message
	if err := json.Unmarshal(line, &msg); err != nil {
		return nil, err
	}
	switch msg.Cmd {
	case "hello":
		return json.Marshal(hello)
	case "bye":
		return nil, nil
	case "run":
		outputs, err := run(msg.Stage, &args{values: msg.Inputs, params: msg.Params})
		var invalid *StageError
		if errors.As(err, &invalid) {
			return json.Marshal(reply{Seq: msg.Seq, Error: &replyError{invalid.Kind, err.Error()}})
		}
		if err != nil {
			return nil, err
		}
		for name, value := range outputs {
			outputs[name] = encode(value)
		}
		return json.Marshal(reply{Seq: msg.Seq, Outputs: outputs})
	}
	return nil, fmt.Errorf("unknown cmd %q", msg.Cmd)
}

// serve answers each line of r on a line of w, until bye or the end of input (which is how
// the one-shot transport ends, or the runner went away).
func serve(r io.Reader, w io.Writer) error {
	in := bufio.NewReader(r)
	out := bufio.NewWriter(w)
	for {
		line, readErr := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			text, err := answer(line)
			if err != nil {
				request := bytes.TrimSpace(line[:min(len(line), 200)])
				return fmt.Errorf("cannot answer %s: %w", request, err)
			}
			if text == nil { // bye
				return nil
			}
			out.Write(append(text, '\n'))
			if err := out.Flush(); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return readErr
		}
	}
}

func main() {
	if err := serve(os.Stdin, os.Stdout); err != nil {
		// A bad request or a bug in this port. The protocol has no error kind for that, so
		// say why on stderr and exit non-zero: the runner marks the case and restarts us.
		fmt.Fprintf(os.Stderr, "nnfs-port: %v\n", err)
		os.Exit(1)
	}
}
