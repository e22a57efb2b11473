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
)

var hello = map[string]any{
	"protocol": 1,
	"name":     "go-plain",
	"language": "go",
	"dtype":    "float64",
	"stages": []string{"neuron", "layer", "dense_batch", "relu", "softmax",
		"categorical_crossentropy", "accuracy", "forward"},
	"label_formats": []string{"sparse", "onehot"},
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
	}
	return nil, fmt.Errorf("unknown stage %q", stage)
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
	}
	return value
}

// answer is the reply to one line, or nil for bye. It fails on anything that is not the
// protocol; the five kinds of invalid inputs are replies, not failures.
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
