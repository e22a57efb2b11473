// Package kit owns protocol 1 of nnfs-conformance so that a Go learner writes only the network
// of "Neural Networks from Scratch": the JSON Lines loop, exact numbers, the hello, the input
// checks of docs/STAGES.md, the shapes of the outputs, and the error replies.
//
//	func main() {
//		kit.Serve(kit.Port{Name: "my-port", Stages: kit.Stages{
//			Neuron:     Neuron,
//			DenseBatch: DenseBatch,
//		}})
//	}
//
// A stage function receives only well-formed inputs (the kit answers invalid ones itself) and
// returns its outputs and an error: a plain error is reported as the kind "exception" with its
// message, kit.Unsupported("reason") declines the case, and a panic is recovered and reported.
package kit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Stages are the learner's functions, one per stage of docs/STAGES.md; a nil one is not
// implemented. Matrices are rows ([B][K]float64), weights are Layer_Dense's (K inputs, N
// neurons), biases a flat list of N.
type Stages struct {
	// Chapters 1-5: the forward pass.
	Neuron                  func(inputs, weights []float64, bias float64) (float64, error)
	Layer                   func(inputs []float64, weights [][]float64, biases []float64) ([]float64, error) // weights (N, K): a row per neuron
	DenseBatch              func(inputs, weights [][]float64, biases []float64) ([][]float64, error)         // weights (K, N) whatever the case's layout
	Relu                    func(inputs [][]float64) ([][]float64, error)                                    // a rank-1 input comes as one row
	DenseRelu               func(inputs, weights [][]float64, biases []float64) (dense, relu [][]float64, err error)
	Softmax                 func(inputs [][]float64) ([][]float64, error)
	DenseReluDenseSoftmax   func(inputs, weights1 [][]float64, biases1 []float64, weights2 [][]float64, biases2 []float64) (Network, error) // chapter 4's: Dense1, Relu1, Dense2, Softmax
	CategoricalCrossentropy func(yPred [][]float64, yTrue Labels) (sampleLosses []float64, loss float64, err error)
	Accuracy                func(yPred [][]float64, yTrue Labels) (predictions []int, accuracy float64, err error)
	Forward                 func(inputs, weights1 [][]float64, biases1 []float64, weights2 [][]float64, biases2 []float64, yTrue Labels) (Network, error)

	// Chapters 9-17: backward passes, regularization, dropout, more losses, optimizers.
	DenseBackward                   func(inputs, weights, dvalues [][]float64) (dweights [][]float64, dbiases []float64, dinputs [][]float64, err error)
	ReluBackward                    func(inputs, dvalues [][]float64) ([][]float64, error)                                                                                                                         // rank-1 inputs come as one row
	RepeatedForward                 func(inputs1, inputs2, weights [][]float64, biases []float64, dvalues [][]float64) (output1, output2, dweights [][]float64, dbiases []float64, dinputs [][]float64, err error) // one Layer_Dense and ReLU on inputs1 (B rows), then inputs2 (D rows), then backward(dvalues) (D rows)
	SoftmaxBackward                 func(output, dvalues [][]float64) ([][]float64, error)
	CategoricalCrossentropyBackward func(yPred [][]float64, yTrue Labels) ([][]float64, error)
	SoftmaxCrossentropyBackward     func(yPred [][]float64, yTrue Labels) ([][]float64, error) // the combined path; the kit chains the two above for path "separate"
	Regularization                  func(layer *Layer) (loss float64, dweights [][]float64, dbiases []float64, err error)
	Dropout                         func(inputs, mask [][]float64, rate float64, dvalues [][]float64) (output, dinputs [][]float64, err error)
	Sigmoid                         func(inputs, dvalues [][]float64) (output, dinputs [][]float64, err error)
	BinaryCrossentropy              func(yPred, yTrue [][]float64) (sampleLosses []float64, loss float64, dinputs [][]float64, err error)
	BinaryAccuracy                  func(yPred, yTrue [][]float64) (predictions [][]int, accuracy float64, err error) // y_true: 0s and 1s
	Linear                          func(inputs, dvalues [][]float64) (output, dinputs [][]float64, err error)
	MeanSquaredError                func(yPred, yTrue [][]float64) (sampleLosses []float64, loss float64, dinputs [][]float64, err error)
	MeanAbsoluteError               func(yPred, yTrue [][]float64) (sampleLosses []float64, loss float64, dinputs [][]float64, err error)
	RegressionAccuracy              func(yPred, yTrue [][]float64, precision float64) (accuracy float64, err error)

	// One optimizer step on one layer: the book's pre_update_params, update_params(layer) and
	// post_update_params. The kit reads o.CurrentLearningRate, o.Iterations and the layer after.
	SGDStep     func(o *Optimizer, layer *Layer) error
	AdagradStep func(o *Optimizer, layer *Layer) error
	RMSpropStep func(o *Optimizer, layer *Layer) error
	AdamStep    func(o *Optimizer, layer *Layer) error
	// One Optimizer_Adam (o) for two layers, steps steps of pre_update_params,
	// update_params(dense1), update_params(dense2), post_update_params; each layer comes with
	// its Dweights and Dbiases (the same at every step) and its state at zeros. The kit reads
	// the layers' Weights and Biases after.
	SharedOptimizer func(o *Optimizer, dense1, dense2 *Layer, steps int) error

	// Chapter 10's loop: steps full-batch steps of Dense, ReLU, Dense, softmax + cross-entropy
	// with the optimizer o.Name; the layers' optimizer state starts at zeros.
	Training func(inputs [][]float64, yTrue Labels, dense1, dense2 *Layer, o *Optimizer, steps int) (Trajectory, error)

	// Chapters 18-22: what the Model adds around the network.
	// Chapter 19's data: images (B, H, W) of bytes, flattened to x (B, H·W) scaled to [-1, 1],
	// then x[keys] and labels[keys] (keys: a permutation of 0..B-1).
	Preprocess func(images [][][]uint8, labels, keys []int) (x [][]float64, y []int, err error)
	// Model.train's steps for batch_size (>= 1), each batch's size and its first and last rows.
	Batches func(inputs [][]float64, batchSize int) (steps int, batchSizes []int, firstRows, lastRows [][]float64, err error)
	// The output activation's predictions(): activation "softmax" gives []int (a class per
	// row), "sigmoid" [][]int (0 or 1 per output), "linear" [][]float64 (the outputs).
	Predictions func(inputs [][]float64, activation string) (predictions any, err error)
	// Model.evaluate: loss and accuracy accumulated over batches of batchSize (>= 1).
	Evaluate func(yPred [][]float64, yTrue Labels, batchSize int) (loss, accuracy float64, err error)
	// Chapters 18-19's Model.train(inputs, yTrue, epochs, batchSize, validation_data=
	// (validationInputs, validationYTrue)) on Dense(K, H) -> ReLU -> Dense(H, C) -> Softmax
	// with the categorical cross-entropy and the optimizer o.Name (epochs, batchSize >= 1). The
	// validation set is a batch of its own, M samples with their own labels. dense1 carries the
	// four regularizers (dense2 has none); both layers' optimizer state starts at zeros. It
	// returns what each epoch prints; the kit reads the layers' Weights and Biases after, the
	// parameters after the last epoch.
	ModelTraining func(inputs [][]float64, yTrue Labels, validationInputs [][]float64, validationYTrue Labels,
		dense1, dense2 *Layer, o *Optimizer, epochs, batchSize int) (Epochs, error)
	// Chapter 21: the parameters of Dense(K, H) -> ReLU -> Dense(H, C) -> Softmax saved and
	// loaded into fresh layers; those layers (the kit writes their Weights and Biases) and the
	// loaded model's softmax output on inputs.
	Parameters func(inputs [][]float64, dense1, dense2 *Layer) (loaded1, loaded2 *Layer, output [][]float64, err error)

	// The book tier (docs/BOOK.md): the book's own random numbers and printed results. The
	// inputs are integers, read exactly (never rounded, even for a float32 port); the values
	// out are the book's float32 values held in float64s (float64 where the book's are: the
	// random stream, sine_data, the learning rate).
	Rng      func(seed uint32, calls []RngCall) (values []float64, err error)         // every draw, in call order
	Datasets func(dataset string, seed uint32, samples, classes int) (Dataset, error) // "spiral", "vertical" or "sine"
	Init     func(seed uint32, skip int, shapes []LayerShape, scale float64) (weights []float64, err error)
	Shuffle  func(seed uint32, samples int) (keys []int, err error) // np.random.shuffle(arange(samples))
	// The book's chapter 3-10 script, with the optimizer it builds (o.Name, LearningRate, Decay
	// and Momentum from the case, the book's defaults for the rest); value is what printed names:
	// a float64 (loss, accuracy, learning_rate) or a matrix (the others; biases as one row).
	Chapters func(seed uint32, samples, classes, hidden, steps int, printed string, o *Optimizer) (value any, err error)
}

// Draw is what one call of the rng stage draws from np.random's legacy stream.
type Draw int

const (
	DrawUint32 Draw = iota // a 32-bit MT19937 output
	DrawDouble             // np.random.random_sample: a 53-bit double from two outputs
	DrawGauss              // np.random.randn: the polar method, its second value cached
)

// RngCall is one call of the rng stage: Count draws of one kind.
type RngCall struct {
	Kind  Draw
	Count int
}

// Dataset is what the nnfs package's datasets return: X (rows of 2, or of 1 for sine_data),
// and y as the class of each row (spiral_data, vertical_data) or as sine_data's Targets, a
// row of one value per sample.
type Dataset struct {
	X       [][]float64
	Y       []int
	Targets [][]float64
}

// LayerShape is the size of a Layer_Dense(NInputs, NNeurons).
type LayerShape struct{ NInputs, NNeurons int }

// Labels are y_true: class indices (Sparse, label_format "sparse") or one-hot rows (OneHot,
// label_format "onehot"). Exactly one is set, checked: indices in [0, C), rows of one 1 among 0s.
type Labels struct {
	Sparse []int
	OneHot [][]float64
}

// Network is what the forward stage returns: the book's chapter 5 network (and what
// dense_relu_dense_softmax returns: its first four, chapter 4's).
type Network struct {
	Dense1, Relu1, Dense2, Softmax [][]float64
	SampleLosses                   []float64
	Loss                           float64
	Predictions                    []int
	Accuracy                       float64
}

// Layer is what the book keeps on a Layer_Dense: weights (K, N), biases (N), the gradients,
// the optimizers' state (zeros of those shapes unless the case sends them) and the
// regularization factors.
type Layer struct {
	Weights                                  [][]float64
	Biases                                   []float64
	Dweights                                 [][]float64
	Dbiases                                  []float64
	WeightMomentums, WeightCache             [][]float64
	BiasMomentums, BiasCache                 []float64
	WeightRegularizerL1, WeightRegularizerL2 float64
	BiasRegularizerL1, BiasRegularizerL2     float64
}

// Optimizer is the book's optimizer object: its hyperparameters (those the case sends; the
// others are 0, except in chapters: the book's defaults), CurrentLearningRate (starting at
// LearningRate) and Iterations (the steps taken).
type Optimizer struct {
	Name                                     string // "sgd", "adagrad", "rmsprop" or "adam"
	LearningRate, CurrentLearningRate, Decay float64
	Iterations                               int
	Momentum, Epsilon, Rho, Beta1, Beta2     float64
}

// Trajectory is what the training stage records at each step: the loss and accuracy before
// the step, the learning rate it used, and the parameters after it.
type Trajectory struct {
	Loss, Accuracy, LearningRate []float64
	Weights1, Weights2           [][][]float64
	Biases1, Biases2             [][]float64
}

// Epochs is what Model.train prints after each epoch, one value per epoch in each list: the
// loss (DataLoss + RegularizationLoss), the data loss and accuracy accumulated over the epoch's
// batches (sums over its samples, not the mean of the batch means), the regularization loss of
// the parameters at the end of the epoch, the learning rate its last step used, and the
// validation pass's loss (no regularization) and accuracy.
type Epochs struct {
	Loss, DataLoss, RegularizationLoss, Accuracy, LearningRate []float64
	ValidationLoss, ValidationAccuracy                         []float64
}

// Port is the learner's port: its name (shown in reports), dtype ("float64", the default, or
// "float32": every input number is then rounded to float32 as it is read), an optional
// version, the label formats it accepts (default both) and its stages.
type Port struct {
	Name         string
	Dtype        string
	Version      string
	LabelFormats []string
	Stages       Stages
}

// Unsupported declines a case: the reply says {"unsupported": reason}, not applicable.
func Unsupported(reason string) error { return &unsupportedError{reason} }

type unsupportedError struct{ reason string }

func (e *unsupportedError) Error() string { return "unsupported: " + e.reason }

// Serve answers the runner's requests on stdin until bye or the end of input, then exits 0.
// The learner's prints to stdout go to stderr. A request it cannot understand exits 1 with
// one line on stderr.
func Serve(port Port) {
	name := port.Name
	if name == "" {
		name = "nnfs-port"
	}
	if err := port.valid(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	replies, err := guardStdout()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot keep stdout for the replies: %v\n", name, err)
		os.Exit(2)
	}
	if err := serve(&port, os.Stdin, replies); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func (port *Port) valid() error {
	if port.Dtype != "" && port.Dtype != "float64" && port.Dtype != "float32" {
		return fmt.Errorf("kit.Port.Dtype is %q: write \"float64\" or \"float32\"", port.Dtype)
	}
	for _, format := range port.LabelFormats {
		if format != "sparse" && format != "onehot" {
			return fmt.Errorf("kit.Port.LabelFormats has %q: write \"sparse\" and/or \"onehot\"", format)
		}
	}
	return nil
}

// serve is the loop: a reply line per request, flushed; nil at bye or the end of input.
func serve(port *Port, r io.Reader, w io.Writer) error {
	in := bufio.NewReaderSize(r, 1<<16)
	out := bufio.NewWriterSize(w, 1<<16)
	for number := 1; ; number++ {
		line, readErr := in.ReadBytes('\n')
		if request := bytes.TrimSpace(line); len(request) > 0 {
			reply, err := port.answer(request)
			if err != nil {
				return fmt.Errorf("cannot answer line %d (%s): %v", number, excerpt(request), err)
			}
			if reply == nil { // bye
				return nil
			}
			out.Write(append(reply, '\n'))
			if err := out.Flush(); err != nil {
				return fmt.Errorf("cannot write a reply: %v", err)
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return fmt.Errorf("cannot read stdin: %v", readErr)
		}
	}
}

// excerpt is the start of a request, on one line, for the message on stderr.
func excerpt(request []byte) string {
	text := strings.ToValidUTF8(string(request), "?")
	if len(text) > 120 {
		text = text[:120] + "..."
	}
	return text
}

type message struct {
	Cmd    string         `json:"cmd"`
	Seq    *int64         `json:"seq"`
	Stage  string         `json:"stage"`
	Inputs map[string]any `json:"inputs"`
	Params map[string]any `json:"params"`
}

// answer is the reply to one request, nil for bye, or the reason the request is not protocol.
func (port *Port) answer(request []byte) ([]byte, error) {
	var msg message
	if err := json.Unmarshal(request, &msg); err != nil {
		return nil, fmt.Errorf("not a JSON object of protocol 1: %v", err)
	}
	switch msg.Cmd {
	case "hello":
		return port.hello()
	case "bye":
		return nil, nil
	case "run":
		return port.run(&msg)
	case "":
		return nil, errors.New(`the request has no "cmd"`)
	}
	return nil, fmt.Errorf("unknown cmd %q (protocol 1 has hello, run and bye)", msg.Cmd)
}

func (port *Port) hello() ([]byte, error) {
	stages := []string{}
	for i := range stageTable {
		if stageTable[i].has(&port.Stages) {
			stages = append(stages, stageTable[i].name)
		}
	}
	return json.Marshal(struct {
		Protocol     int      `json:"protocol"`
		Name         string   `json:"name"`
		Language     string   `json:"language"`
		Dtype        string   `json:"dtype"`
		Stages       []string `json:"stages"`
		LabelFormats []string `json:"label_formats"`
		ChecksInputs bool     `json:"checks_inputs"`
		Version      string   `json:"version,omitempty"`
	}{1, port.name(), "go", port.dtype(), stages, port.labelFormats(), true, port.Version})
}

func (port *Port) name() string {
	if port.Name == "" {
		return "nnfs-port"
	}
	return port.Name
}

func (port *Port) dtype() string {
	if port.Dtype == "" {
		return "float64"
	}
	return port.Dtype
}

func (port *Port) labelFormats() []string {
	if len(port.LabelFormats) == 0 {
		return []string{"sparse", "onehot"}
	}
	return port.LabelFormats
}

// run answers a run request: the kit's input checks, then the learner's function, then the
// kit's checks of what it returned.
func (port *Port) run(msg *message) ([]byte, error) {
	if msg.Seq == nil {
		return nil, errors.New(`the run request has no "seq"`)
	}
	seq := *msg.Seq
	st := findStage(msg.Stage)
	if st == nil {
		return nil, fmt.Errorf("stage %q was not declared in the hello (the kit has no such stage)", msg.Stage)
	}
	if !st.has(&port.Stages) {
		return nil, fmt.Errorf("stage %q was not declared in the hello (its kit.Stages field is nil)", msg.Stage)
	}
	a := &args{raw: msg.Inputs, params: msg.Params, float32: port.dtype() == "float32"}
	if err := a.request(st, port.labelFormats()); err != nil {
		var declined *unsupportedError
		if errors.As(err, &declined) {
			return unsupportedReply(seq, declined.reason), nil
		}
		return nil, err
	}
	if err := a.check(st); err != nil {
		var declined *unsupportedError
		if errors.As(err, &declined) { // a book integer past what the kit passes
			return unsupportedReply(seq, declined.reason), nil
		}
		return errorReply(seq, err.(*inputError).kind, err.Error()), nil
	}
	outputs, err := call(st, &port.Stages, a)
	var declined *unsupportedError
	switch {
	case errors.As(err, &declined):
		return unsupportedReply(seq, declined.reason), nil
	case err != nil:
		return errorReply(seq, "exception", err.Error()), nil
	}
	for i, result := range st.out {
		if err := a.checkOutput(st.name, result, outputs[i]); err != nil {
			return errorReply(seq, "exception", err.Error()), nil
		}
	}
	reply := fmt.Appendf(make([]byte, 0, 256), `{"seq":%d,"outputs":{`, seq)
	for i, result := range st.out {
		if i > 0 {
			reply = append(reply, ',')
		}
		reply = append(reply, '"')
		reply = append(reply, result.name...)
		reply = append(reply, `":`...)
		reply = appendValue(reply, outputs[i])
	}
	return append(reply, "}}"...), nil
}

// call runs the learner's function, a panic recovered as an error naming where it happened.
func call(st *stage, s *Stages, a *args) (outputs []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			outputs, err = nil, fmt.Errorf("panic: %v%s", p, panicSite())
		}
	}()
	return st.call(s, a)
}

// panicSite is " (at file.go:42 in main.Softmax)": the frame that panicked, outside the runtime.
func panicSite() string {
	pc := make([]uintptr, 32)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	panicking := false
	for {
		frame, more := frames.Next()
		if frame.Function == "runtime.gopanic" {
			panicking = true
		} else if panicking && !strings.HasPrefix(frame.Function, "runtime.") {
			return fmt.Sprintf(" (at %s:%d in %s)", filepath.Base(frame.File), frame.Line, frame.Function)
		}
		if !more {
			return ""
		}
	}
}

func errorReply(seq int64, kind, message string) []byte {
	return fmt.Appendf(nil, `{"seq":%d,"error":{"kind":%q,"message":%s}}`, seq, kind, jsonString(message))
}

func unsupportedReply(seq int64, reason string) []byte {
	return fmt.Appendf(nil, `{"seq":%d,"unsupported":%s}`, seq, jsonString(reason))
}

// jsonString is text as a JSON string, with < > & as they are (json.Marshal escapes them).
func jsonString(text string) []byte {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	encoder.Encode(text) // a string always encodes; invalid UTF-8 becomes U+FFFD
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
