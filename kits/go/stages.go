package kit

import (
	"fmt"
	"strings"
)

// The stages, declared once each: the inputs in the order docs/STAGES.md checks them (the
// dimensions named alike must agree), the params, the outputs and their shapes, and the call
// of the learner's function. The hello lists the stages whose function is set, in this order.

// param is a param the request must send, with the values the kit knows (none: a number).
type param struct {
	name   string
	values []string
}

func numberParam(name string) param { return param{name: name} }

type stage struct {
	name   string
	in     []arg
	params []param
	out    []result
	has    func(s *Stages) bool
	call   func(s *Stages, a *args) ([]any, error)
}

var (
	labelFormat   = param{"label_format", []string{"sparse", "onehot"}}
	weightsLayout = param{"weights_layout", []string{"inputs_neurons", "neurons_inputs"}}
	path          = param{"path", []string{"combined", "separate"}}
	optimizerName = param{"optimizer", []string{"sgd", "adagrad", "rmsprop", "adam"}}
	datasetName   = param{"dataset", []string{"spiral", "vertical", "sine"}}
	activation    = param{"activation", []string{"softmax", "sigmoid", "linear"}}
	printed       = param{"printed", []string{"dense1_output", "softmax_output", "loss", "accuracy",
		"dweights1", "dbiases1", "dweights2", "dbiases2", "weights1", "biases1", "weights2",
		"biases2", "learning_rate"}}
)

var stageTable = []stage{
	{name: "neuron",
		in:  []arg{vec("inputs", "K"), vec("weights", "K"), num("bias")},
		out: []result{out("output")},
		has: func(s *Stages) bool { return s.Neuron != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, err := s.Neuron(a.vector("inputs"), a.vector("weights"), a.number("bias"))
			return []any{output}, err
		}},
	{name: "layer",
		in:  []arg{vec("inputs", "K"), mat("weights", "N", "K"), vec("biases", "N")},
		out: []result{out("output", "N")},
		has: func(s *Stages) bool { return s.Layer != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, err := s.Layer(a.vector("inputs"), a.matrix("weights"), a.vector("biases"))
			return []any{output}, err
		}},
	{name: "dense_batch",
		in:     []arg{batch("inputs", "B", "K"), mat("weights", "K", "N").transposable(), vec("biases", "N")},
		params: []param{weightsLayout},
		out:    []result{out("output", "B", "N")},
		has:    func(s *Stages) bool { return s.DenseBatch != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, err := s.DenseBatch(a.matrix("inputs"), a.matrix("weights"), a.vector("biases"))
			return []any{output}, err
		}},
	{name: "relu",
		in:  []arg{anyRank("inputs")},
		out: []result{outLike("output", "inputs")},
		has: func(s *Stages) bool { return s.Relu != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, err := s.Relu(a.matrix("inputs"))
			return []any{a.unwrap("inputs", output)}, err
		}},
	{name: "dense_relu",
		in:  []arg{batch("inputs", "B", "K"), mat("weights", "K", "N"), vec("biases", "N")},
		out: []result{out("dense", "B", "N"), out("relu", "B", "N")},
		has: func(s *Stages) bool { return s.DenseRelu != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dense, relu, err := s.DenseRelu(a.matrix("inputs"), a.matrix("weights"), a.vector("biases"))
			return []any{dense, relu}, err
		}},
	{name: "softmax",
		in:  []arg{batch("inputs", "B", "C")},
		out: []result{out("output", "B", "C")},
		has: func(s *Stages) bool { return s.Softmax != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, err := s.Softmax(a.matrix("inputs"))
			return []any{output}, err
		}},
	{name: "dense_relu_dense_softmax",
		in: []arg{batch("inputs", "B", "K"), mat("weights1", "K", "H"), vec("biases1", "H"),
			mat("weights2", "H", "C"), vec("biases2", "C")},
		out: []result{out("dense1", "B", "H"), out("relu1", "B", "H"), out("dense2", "B", "C"),
			out("softmax", "B", "C")},
		has: func(s *Stages) bool { return s.DenseReluDenseSoftmax != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			n, err := s.DenseReluDenseSoftmax(a.matrix("inputs"), a.matrix("weights1"), a.vector("biases1"),
				a.matrix("weights2"), a.vector("biases2"))
			return []any{n.Dense1, n.Relu1, n.Dense2, n.Softmax}, err
		}},
	{name: "categorical_crossentropy",
		in:     []arg{batch("y_pred", "B", "C"), labels("y_true")},
		params: []param{labelFormat},
		out:    []result{out("sample_losses", "B"), out("loss")},
		has:    func(s *Stages) bool { return s.CategoricalCrossentropy != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			sampleLosses, loss, err := s.CategoricalCrossentropy(a.matrix("y_pred"), a.labels("y_true"))
			return []any{sampleLosses, loss}, err
		}},
	{name: "accuracy",
		in:     []arg{batch("y_pred", "B", "C"), labels("y_true")},
		params: []param{labelFormat},
		out:    []result{out("predictions", "B"), out("accuracy")},
		has:    func(s *Stages) bool { return s.Accuracy != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			predictions, accuracy, err := s.Accuracy(a.matrix("y_pred"), a.labels("y_true"))
			return []any{predictions, accuracy}, err
		}},
	{name: "forward",
		in: []arg{batch("inputs", "B", "K"), mat("weights1", "K", "H"), vec("biases1", "H"),
			mat("weights2", "H", "C"), vec("biases2", "C"), labels("y_true")},
		params: []param{labelFormat},
		out: []result{out("dense1", "B", "H"), out("relu1", "B", "H"), out("dense2", "B", "C"),
			out("softmax", "B", "C"), out("sample_losses", "B"), out("loss"),
			out("predictions", "B"), out("accuracy")},
		has: func(s *Stages) bool { return s.Forward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			n, err := s.Forward(a.matrix("inputs"), a.matrix("weights1"), a.vector("biases1"),
				a.matrix("weights2"), a.vector("biases2"), a.labels("y_true"))
			return []any{n.Dense1, n.Relu1, n.Dense2, n.Softmax, n.SampleLosses, n.Loss,
				n.Predictions, n.Accuracy}, err
		}},

	{name: "dense_backward",
		in:  []arg{batch("inputs", "B", "K"), mat("weights", "K", "N"), mat("dvalues", "B", "N")},
		out: []result{out("dweights", "K", "N"), out("dbiases", "N"), out("dinputs", "B", "K")},
		has: func(s *Stages) bool { return s.DenseBackward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dweights, dbiases, dinputs, err := s.DenseBackward(a.matrix("inputs"), a.matrix("weights"), a.matrix("dvalues"))
			return []any{dweights, dbiases, dinputs}, err
		}},
	{name: "relu_backward",
		in:  []arg{anyRank("inputs"), like("dvalues", "inputs")},
		out: []result{outLike("dinputs", "inputs")},
		has: func(s *Stages) bool { return s.ReluBackward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dinputs, err := s.ReluBackward(a.matrix("inputs"), a.matrix("dvalues"))
			return []any{a.unwrap("inputs", dinputs)}, err
		}},
	{name: "repeated_forward", // two batches: inputs1 has B samples, inputs2 and dvalues D
		in: []arg{batch("inputs1", "B", "K"), batch("inputs2", "D", "K"), mat("weights", "K", "N"),
			vec("biases", "N"), mat("dvalues", "D", "N")},
		out: []result{out("output1", "B", "N"), out("output2", "D", "N"), out("dweights", "K", "N"),
			out("dbiases", "N"), out("dinputs", "D", "K")},
		has: func(s *Stages) bool { return s.RepeatedForward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output1, output2, dweights, dbiases, dinputs, err := s.RepeatedForward(a.matrix("inputs1"),
				a.matrix("inputs2"), a.matrix("weights"), a.vector("biases"), a.matrix("dvalues"))
			return []any{output1, output2, dweights, dbiases, dinputs}, err
		}},
	{name: "softmax_backward",
		in:  []arg{batch("output", "B", "C"), mat("dvalues", "B", "C")},
		out: []result{out("dinputs", "B", "C")},
		has: func(s *Stages) bool { return s.SoftmaxBackward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dinputs, err := s.SoftmaxBackward(a.matrix("output"), a.matrix("dvalues"))
			return []any{dinputs}, err
		}},
	{name: "categorical_crossentropy_backward",
		in:     []arg{batch("y_pred", "B", "C"), labels("y_true")},
		params: []param{labelFormat},
		out:    []result{out("dinputs", "B", "C")},
		has:    func(s *Stages) bool { return s.CategoricalCrossentropyBackward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dinputs, err := s.CategoricalCrossentropyBackward(a.matrix("y_pred"), a.labels("y_true"))
			return []any{dinputs}, err
		}},
	{name: "softmax_crossentropy_backward",
		in:     []arg{batch("y_pred", "B", "C"), labels("y_true")},
		params: []param{labelFormat, path},
		out:    []result{out("dinputs", "B", "C")},
		has:    func(s *Stages) bool { return s.SoftmaxCrossentropyBackward != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			if a.param("path") == "combined" {
				dinputs, err := s.SoftmaxCrossentropyBackward(a.matrix("y_pred"), a.labels("y_true"))
				return []any{dinputs}, err
			}
			// "separate": the loss's backward, then the softmax's, as the book chains them
			if s.CategoricalCrossentropyBackward == nil || s.SoftmaxBackward == nil {
				return nil, Unsupported("path separate chains categorical_crossentropy_backward and softmax_backward: set both")
			}
			dvalues, err := s.CategoricalCrossentropyBackward(a.matrix("y_pred"), a.labels("y_true"))
			if err == nil {
				err = a.checkOutput("categorical_crossentropy_backward", out("dinputs", "B", "C"), dvalues)
			}
			if err != nil {
				return nil, err
			}
			dinputs, err := s.SoftmaxBackward(a.matrix("y_pred"), dvalues)
			return []any{dinputs}, err
		}},
	{name: "regularization",
		in: []arg{mat("weights", "K", "N"), vec("biases", "N"), factor("weight_regularizer_l1"),
			factor("weight_regularizer_l2"), factor("bias_regularizer_l1"), factor("bias_regularizer_l2")},
		out: []result{out("loss"), out("dweights", "K", "N"), out("dbiases", "N")},
		has: func(s *Stages) bool { return s.Regularization != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			layer := a.layer("weights", "biases")
			layer.WeightRegularizerL1, layer.WeightRegularizerL2 = a.number("weight_regularizer_l1"), a.number("weight_regularizer_l2")
			layer.BiasRegularizerL1, layer.BiasRegularizerL2 = a.number("bias_regularizer_l1"), a.number("bias_regularizer_l2")
			loss, dweights, dbiases, err := s.Regularization(layer)
			return []any{loss, dweights, dbiases}, err
		}},
	{name: "dropout",
		in: []arg{batch("inputs", "B", "N"), mat("mask", "B", "N").binaryOr("invalid_value"),
			rate("rate"), mat("dvalues", "B", "N")},
		out: []result{out("output", "B", "N"), out("dinputs", "B", "N")},
		has: func(s *Stages) bool { return s.Dropout != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, dinputs, err := s.Dropout(a.matrix("inputs"), a.matrix("mask"), a.number("rate"), a.matrix("dvalues"))
			return []any{output, dinputs}, err
		}},
	{name: "sigmoid",
		in:  []arg{batch("inputs", "B", "N"), mat("dvalues", "B", "N")},
		out: []result{out("output", "B", "N"), out("dinputs", "B", "N")},
		has: func(s *Stages) bool { return s.Sigmoid != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, dinputs, err := s.Sigmoid(a.matrix("inputs"), a.matrix("dvalues"))
			return []any{output, dinputs}, err
		}},
	lossStage("binary_crossentropy", mat("y_true", "B", "O").binaryOr("invalid_label"),
		func(s *Stages) lossFunc { return s.BinaryCrossentropy }),
	{name: "binary_accuracy",
		in:  []arg{batch("y_pred", "B", "O"), mat("y_true", "B", "O").binaryOr("invalid_label")},
		out: []result{out("predictions", "B", "O"), out("accuracy")},
		has: func(s *Stages) bool { return s.BinaryAccuracy != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			predictions, accuracy, err := s.BinaryAccuracy(a.matrix("y_pred"), a.matrix("y_true"))
			return []any{predictions, accuracy}, err
		}},
	{name: "linear",
		in:  []arg{batch("inputs", "B", "N"), mat("dvalues", "B", "N")},
		out: []result{out("output", "B", "N"), out("dinputs", "B", "N")},
		has: func(s *Stages) bool { return s.Linear != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			output, dinputs, err := s.Linear(a.matrix("inputs"), a.matrix("dvalues"))
			return []any{output, dinputs}, err
		}},
	lossStage("mean_squared_error", mat("y_true", "B", "O"), // measurements, not labels
		func(s *Stages) lossFunc { return s.MeanSquaredError }),
	lossStage("mean_absolute_error", mat("y_true", "B", "O"),
		func(s *Stages) lossFunc { return s.MeanAbsoluteError }),
	{name: "regression_accuracy",
		in:  []arg{batch("y_pred", "B", "O"), mat("y_true", "B", "O"), factor("precision")},
		out: []result{out("accuracy")},
		has: func(s *Stages) bool { return s.RegressionAccuracy != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			accuracy, err := s.RegressionAccuracy(a.matrix("y_pred"), a.matrix("y_true"), a.number("precision"))
			return []any{accuracy}, err
		}},

	optimizerStage("sgd_step", []string{"weight_momentums", "bias_momentums"},
		[]string{"learning_rate", "decay", "momentum"},
		func(s *Stages) stepFunc { return s.SGDStep }),
	optimizerStage("adagrad_step", []string{"weight_cache", "bias_cache"},
		[]string{"learning_rate", "decay", "epsilon"},
		func(s *Stages) stepFunc { return s.AdagradStep }),
	optimizerStage("rmsprop_step", []string{"weight_cache", "bias_cache"},
		[]string{"learning_rate", "decay", "epsilon", "rho"},
		func(s *Stages) stepFunc { return s.RMSpropStep }),
	optimizerStage("adam_step", []string{"weight_momentums", "bias_momentums", "weight_cache", "bias_cache"},
		adamHyperparameters,
		func(s *Stages) stepFunc { return s.AdamStep }),
	{name: "shared_optimizer",
		in: append([]arg{mat("weights1", "K", "H"), vec("biases1", "H"), mat("weights2", "H", "C"),
			vec("biases2", "C"), mat("dweights1", "K", "H"), vec("dbiases1", "H"),
			mat("dweights2", "H", "C"), vec("dbiases2", "C"), count("steps", 1, "")},
			nums(adamHyperparameters)...),
		out: []result{out("weights1", "K", "H"), out("biases1", "H"), out("weights2", "H", "C"),
			out("biases2", "C")},
		has: func(s *Stages) bool { return s.SharedOptimizer != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dense1, dense2 := a.layer("weights1", "biases1"), a.layer("weights2", "biases2")
			dense1.Dweights, dense1.Dbiases = a.matrix("dweights1"), a.vector("dbiases1")
			dense2.Dweights, dense2.Dbiases = a.matrix("dweights2"), a.vector("dbiases2")
			err := s.SharedOptimizer(a.optimizer("adam", adamHyperparameters), dense1, dense2, a.integer("steps"))
			return []any{dense1.Weights, dense1.Biases, dense2.Weights, dense2.Biases}, err
		}},
	{name: "training",
		in: append([]arg{batch("inputs", "B", "K"), labels("y_true"), mat("weights1", "K", "H"),
			vec("biases1", "H"), mat("weights2", "H", "C"), vec("biases2", "C"), count("steps", 1, "S")},
			nums(trainingHyperparameters)...),
		params: []param{labelFormat, optimizerName},
		out: []result{out("loss", "S"), out("accuracy", "S"), out("learning_rate", "S"),
			out("weights1", "S", "K", "H"), out("biases1", "S", "H"), out("weights2", "S", "H", "C"),
			out("biases2", "S", "C")},
		has: func(s *Stages) bool { return s.Training != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			t, err := s.Training(a.matrix("inputs"), a.labels("y_true"), a.layer("weights1", "biases1"),
				a.layer("weights2", "biases2"), a.optimizer(a.param("optimizer"), trainingHyperparameters),
				a.values["steps"].(int))
			return []any{t.Loss, t.Accuracy, t.LearningRate, t.Weights1, t.Biases1, t.Weights2, t.Biases2}, err
		}},

	// The Model (chapters 18-22).
	{name: "preprocess",
		in:  []arg{bytesOf("images", "B", "H", "W"), intsOf("labels", "B"), keysOf("keys", "B")},
		out: []result{outSized("x", "[B, H·W]: each image flattened", flattened), out("y", "B")},
		has: func(s *Stages) bool { return s.Preprocess != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			x, y, err := s.Preprocess(a.values["images"].([][][]uint8), a.ints("labels"), a.ints("keys"))
			return []any{x, y}, err
		}},
	{name: "batches",
		in: []arg{batch("inputs", "B", "K"), count("batch_size", 1, "")},
		out: []result{outCount("steps", "S"), out("batch_sizes", "S"), out("first_rows", "S", "K"),
			out("last_rows", "S", "K")},
		has: func(s *Stages) bool { return s.Batches != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			steps, batchSizes, firstRows, lastRows, err := s.Batches(a.matrix("inputs"), a.integer("batch_size"))
			return []any{steps, batchSizes, firstRows, lastRows}, err
		}},
	{name: "predictions",
		in:     []arg{batch("inputs", "B", "N")},
		params: []param{activation},
		out: []result{{name: "predictions", sized: predictionShape, ints: integerPredictions,
			from: "softmax: []int, a class per row; sigmoid: [][]int, 0 or 1 per output; linear: [][]float64, the outputs"}},
		has: func(s *Stages) bool { return s.Predictions != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			predictions, err := s.Predictions(a.matrix("inputs"), a.param("activation"))
			return []any{predictions}, err
		}},
	{name: "evaluate",
		in:     []arg{batch("y_pred", "B", "C"), labels("y_true"), count("batch_size", 1, "")},
		params: []param{labelFormat},
		out:    []result{out("loss"), out("accuracy")},
		has:    func(s *Stages) bool { return s.Evaluate != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			loss, accuracy, err := s.Evaluate(a.matrix("y_pred"), a.labels("y_true"), a.integer("batch_size"))
			return []any{loss, accuracy}, err
		}},
	{name: "model_training", // a second batch: the validation set's M samples and their labels
		in: append([]arg{batch("inputs", "B", "K"), labels("y_true"), batch("validation_inputs", "M", "K"),
			labelsOf("validation_y_true", "M"), mat("weights1", "K", "H"), vec("biases1", "H"),
			mat("weights2", "H", "C"), vec("biases2", "C"), count("epochs", 1, "E"), count("batch_size", 1, ""),
			factor("weight_regularizer_l1"), factor("weight_regularizer_l2"), factor("bias_regularizer_l1"),
			factor("bias_regularizer_l2")}, // of the first layer; the second has none
			nums(trainingHyperparameters)...),
		params: []param{labelFormat, optimizerName},
		out: []result{out("loss", "E"), out("data_loss", "E"), out("regularization_loss", "E"),
			out("accuracy", "E"), out("learning_rate", "E"), out("validation_loss", "E"),
			out("validation_accuracy", "E"), out("weights1", "K", "H"), out("biases1", "H"),
			out("weights2", "H", "C"), out("biases2", "C")},
		has: func(s *Stages) bool { return s.ModelTraining != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			dense1, dense2 := a.layer("weights1", "biases1"), a.layer("weights2", "biases2")
			dense1.WeightRegularizerL1, dense1.WeightRegularizerL2 = a.number("weight_regularizer_l1"), a.number("weight_regularizer_l2")
			dense1.BiasRegularizerL1, dense1.BiasRegularizerL2 = a.number("bias_regularizer_l1"), a.number("bias_regularizer_l2")
			e, err := s.ModelTraining(a.matrix("inputs"), a.labels("y_true"), a.matrix("validation_inputs"),
				a.labels("validation_y_true"), dense1, dense2, a.optimizer(a.param("optimizer"), trainingHyperparameters),
				a.integer("epochs"), a.integer("batch_size"))
			return []any{e.Loss, e.DataLoss, e.RegularizationLoss, e.Accuracy, e.LearningRate, e.ValidationLoss,
				e.ValidationAccuracy, dense1.Weights, dense1.Biases, dense2.Weights, dense2.Biases}, err
		}},
	{name: "parameters",
		in: []arg{batch("inputs", "B", "K"), mat("weights1", "K", "H"), vec("biases1", "H"),
			mat("weights2", "H", "C"), vec("biases2", "C")},
		out: []result{out("weights1", "K", "H"), out("biases1", "H"), out("weights2", "H", "C"),
			out("biases2", "C"), out("output", "B", "C")},
		has: func(s *Stages) bool { return s.Parameters != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			loaded1, loaded2, output, err := s.Parameters(a.matrix("inputs"), a.layer("weights1", "biases1"),
				a.layer("weights2", "biases2"))
			if err == nil && (loaded1 == nil || loaded2 == nil) {
				err = fmt.Errorf("parameters returned a nil layer; it must return the two loaded layers")
			}
			if err != nil {
				return nil, err
			}
			return []any{loaded1.Weights, loaded1.Biases, loaded2.Weights, loaded2.Biases, output}, nil
		}},

	// The book tier: integers in, read exactly; the book's own numbers out.
	{name: "rng",
		in:  []arg{natural("seed"), pairsOf("calls", 3)}, // [kind, count], kind 0, 1 or 2
		out: []result{outSized("values", "the draws the calls ask for", drawCount)},
		has: func(s *Stages) bool { return s.Rng != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			calls := []RngCall{}
			for _, call := range a.pairs("calls") {
				calls = append(calls, RngCall{Kind: Draw(call[0]), Count: call[1]})
			}
			values, err := s.Rng(a.seed(), calls)
			return []any{values}, err
		}},
	{name: "datasets",
		in:     []arg{natural("seed"), natural("samples"), natural("classes")},
		params: []param{datasetName},
		out: []result{outSized("x", "samples·classes rows of 2; sine_data: samples rows of 1", datasetX),
			outSized("y", "a label per row; sine_data: a row of 1 per sample", datasetY)},
		has: func(s *Stages) bool { return s.Datasets != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			d, err := s.Datasets(a.param("dataset"), a.seed(), a.integer("samples"), a.integer("classes"))
			if a.param("dataset") == "sine" {
				return []any{d.X, d.Targets}, err
			}
			return []any{d.X, d.Y}, err
		}},
	{name: "init",
		in:     []arg{natural("seed"), natural("skip"), pairsOf("shapes", 0)}, // [n_inputs, n_neurons]
		params: []param{numberParam("scale")},
		out:    []result{outSized("weights", "every layer's n_inputs·n_neurons", weightCount)},
		has:    func(s *Stages) bool { return s.Init != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			shapes := []LayerShape{}
			for _, shape := range a.pairs("shapes") {
				shapes = append(shapes, LayerShape{NInputs: shape[0], NNeurons: shape[1]})
			}
			weights, err := s.Init(a.seed(), a.integer("skip"), shapes, a.paramNumber("scale"))
			return []any{weights}, err
		}},
	{name: "shuffle",
		in:  []arg{natural("seed"), natural("samples")},
		out: []result{outSized("keys", "one per sample", func(a *args) []int { return []int{a.integer("samples")} })},
		has: func(s *Stages) bool { return s.Shuffle != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			keys, err := s.Shuffle(a.seed(), a.integer("samples"))
			return []any{keys}, err
		}},
	{name: "chapters",
		in: []arg{natural("seed"), natural("samples"), natural("classes"), natural("hidden"),
			natural("steps")},
		params: []param{printed, optimizerName, numberParam("learning_rate"), numberParam("decay"), numberParam("momentum")},
		out:    []result{outSized("value", "what printed names", printedShape)},
		has:    func(s *Stages) bool { return s.Chapters != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			// the optimizer the script builds: the book's defaults but for the case's choices
			o := &Optimizer{Name: a.param("optimizer"), LearningRate: a.paramNumber("learning_rate"),
				Decay: a.paramNumber("decay"), Momentum: a.paramNumber("momentum"),
				Epsilon: 1e-7, Rho: 0.9, Beta1: 0.9, Beta2: 0.999}
			o.CurrentLearningRate = o.LearningRate
			value, err := s.Chapters(a.seed(), a.integer("samples"), a.integer("classes"),
				a.integer("hidden"), a.integer("steps"), a.param("printed"), o)
			return []any{value}, err
		}},
}

// drawCount is rng's number of values: every call's count.
func drawCount(a *args) []int {
	total := 0
	for _, call := range a.pairs("calls") {
		total += call[1]
	}
	return []int{total}
}

// datasetX and datasetY are the shapes of x and y: samples·classes rows of 2 and a label
// each, or sine_data's samples rows of one x and one y.
func datasetX(a *args) []int {
	if a.param("dataset") == "sine" {
		return []int{a.integer("samples"), 1}
	}
	return []int{a.integer("samples") * a.integer("classes"), 2}
}

func datasetY(a *args) []int {
	if a.param("dataset") == "sine" {
		return []int{a.integer("samples"), 1}
	}
	return []int{a.integer("samples") * a.integer("classes")}
}

// weightCount is the number of init's weights: every layer's, flat.
func weightCount(a *args) []int {
	total := 0
	for _, shape := range a.pairs("shapes") {
		total += shape[0] * shape[1]
	}
	return []int{total}
}

// printedShape is the shape of what chapters prints: a number, the first five rows of a
// batch output, a weight matrix, or biases as one row.
func printedShape(a *args) []int {
	rows, hidden, classes := a.integer("samples")*a.integer("classes"), a.integer("hidden"), a.integer("classes")
	switch a.param("printed") {
	case "dense1_output":
		return []int{min(5, rows), hidden}
	case "softmax_output":
		return []int{min(5, rows), classes}
	case "dweights1", "weights1":
		return []int{2, hidden}
	case "dbiases1", "biases1":
		return []int{1, hidden}
	case "dweights2", "weights2":
		return []int{hidden, classes}
	case "dbiases2", "biases2":
		return []int{1, classes}
	}
	return []int{} // loss, accuracy, learning_rate
}

// flattened is preprocess's x: a row of H·W pixels per image.
func flattened(a *args) []int { return []int{a.dims["B"], a.dims["H"] * a.dims["W"]} }

// predictionShape is what the output activation's predictions() gives: a class per sample
// (softmax), or one value per output (sigmoid's 0 or 1, linear's outputs); integerPredictions
// says when they are integers.
func predictionShape(a *args) []int {
	if a.param("activation") == "softmax" {
		return []int{a.dims["B"]}
	}
	return []int{a.dims["B"], a.dims["N"]}
}

func integerPredictions(a *args) bool { return a.param("activation") != "linear" }

var adamHyperparameters = []string{"learning_rate", "decay", "epsilon", "beta_1", "beta_2"}

var trainingHyperparameters = []string{"learning_rate", "decay", "momentum", "epsilon", "rho", "beta_1", "beta_2"}

func nums(names []string) []arg {
	list := make([]arg, len(names))
	for i, name := range names {
		list[i] = num(name)
	}
	return list
}

type lossFunc = func(yPred, yTrue [][]float64) ([]float64, float64, [][]float64, error)

// lossStage is a loss of chapters 16-17: sample losses, their mean, and the gradient.
func lossStage(name string, yTrue arg, field func(*Stages) lossFunc) stage {
	return stage{name: name,
		in:  []arg{batch("y_pred", "B", "O"), yTrue},
		out: []result{out("sample_losses", "B"), out("loss"), out("dinputs", "B", "O")},
		has: func(s *Stages) bool { return field(s) != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			sampleLosses, loss, dinputs, err := field(s)(a.matrix("y_pred"), a.matrix("y_true"))
			return []any{sampleLosses, loss, dinputs}, err
		}}
}

type stepFunc = func(o *Optimizer, layer *Layer) error

// optimizerStage is one optimizer step on one layer: the layer, its gradients and the state
// this optimizer keeps, the steps taken so far, and the hyperparameters it reads.
func optimizerStage(name string, state, hyperparameters []string, field func(*Stages) stepFunc) stage {
	in, outputs := []arg{}, []result{}
	for _, array := range append([]string{"weights", "biases", "dweights", "dbiases"}, state...) {
		in = append(in, layerArray(array))
	}
	for _, array := range append([]string{"weights", "biases"}, state...) {
		outputs = append(outputs, layerArray(array).output())
	}
	in = append(append(in, count("iterations", 0, "")), nums(hyperparameters)...)
	outputs = append(outputs, out("learning_rate"), out("iterations"))
	return stage{name: name, in: in, out: outputs,
		has: func(s *Stages) bool { return field(s) != nil },
		call: func(s *Stages, a *args) ([]any, error) {
			layer := a.layer("weights", "biases")
			layer.Dweights, layer.Dbiases = a.matrix("dweights"), a.vector("dbiases")
			for _, array := range state {
				layer.setState(array, a.values[array])
			}
			o := a.optimizer(strings.TrimSuffix(name, "_step"), hyperparameters)
			o.Iterations = a.values["iterations"].(int)
			if err := field(s)(o, layer); err != nil {
				return nil, err
			}
			values := []any{layer.Weights, layer.Biases}
			for _, array := range state {
				values = append(values, layer.state(array))
			}
			return append(values, o.CurrentLearningRate, o.Iterations), nil
		}}
}

// layerArray is a layer's array: those of the weights are (K, N), those of the biases (N).
func layerArray(name string) arg {
	if strings.HasPrefix(name, "weight") || name == "dweights" {
		return mat(name, "K", "N")
	}
	return vec(name, "N")
}

// output is the result that has an input's name and dimensions.
func (in arg) output() result { return out(in.name, in.dims...) }

func findStage(name string) *stage {
	for i := range stageTable {
		if stageTable[i].name == name {
			return &stageTable[i]
		}
	}
	return nil
}

// Readers of checked inputs, by name, for the calls above.

func (a *args) number(name string) float64     { return a.values[name].(float64) }
func (a *args) vector(name string) []float64   { return a.values[name].([]float64) }
func (a *args) matrix(name string) [][]float64 { return a.values[name].([][]float64) }
func (a *args) labels(name string) Labels      { return a.values[name].(Labels) }
func (a *args) integer(name string) int        { return a.values[name].(int) }
func (a *args) pairs(name string) [][2]int     { return a.values[name].([][2]int) }
func (a *args) ints(name string) []int         { return a.values[name].([]int) }
func (a *args) seed() uint32                   { return uint32(a.integer("seed")) } // < 2^32, checked

// unwrap gives a rank-1 input's output back as a list, as it came.
func (a *args) unwrap(input string, rows [][]float64) any {
	if a.rank1[input] && len(rows) == 1 {
		return rows[0]
	}
	return rows
}

// layer is a Layer with the given weights and biases and its optimizer state at zeros.
func (a *args) layer(weights, biases string) *Layer {
	w, b := a.matrix(weights), a.vector(biases)
	return &Layer{Weights: w, Biases: b,
		WeightMomentums: zeros(len(w), len(b)), WeightCache: zeros(len(w), len(b)),
		BiasMomentums: make([]float64, len(b)), BiasCache: make([]float64, len(b))}
}

// state is the layer's optimizer state of an input's name; setState sets it.
func (l *Layer) state(name string) any {
	switch name {
	case "weight_momentums":
		return l.WeightMomentums
	case "weight_cache":
		return l.WeightCache
	case "bias_momentums":
		return l.BiasMomentums
	}
	return l.BiasCache
}

func (l *Layer) setState(name string, value any) {
	switch name {
	case "weight_momentums":
		l.WeightMomentums = value.([][]float64)
	case "weight_cache":
		l.WeightCache = value.([][]float64)
	case "bias_momentums":
		l.BiasMomentums = value.([]float64)
	default:
		l.BiasCache = value.([]float64)
	}
}

// optimizer is an Optimizer with the hyperparameters the case sends.
func (a *args) optimizer(name string, hyperparameters []string) *Optimizer {
	o := &Optimizer{Name: name}
	fields := map[string]*float64{"learning_rate": &o.LearningRate, "decay": &o.Decay,
		"momentum": &o.Momentum, "epsilon": &o.Epsilon, "rho": &o.Rho, "beta_1": &o.Beta1,
		"beta_2": &o.Beta2}
	for _, h := range hyperparameters {
		*fields[h] = a.number(h)
	}
	o.CurrentLearningRate = o.LearningRate
	return o
}

func zeros(rows, columns int) [][]float64 {
	block := make([]float64, rows*columns)
	matrix := make([][]float64, rows)
	for i := range matrix {
		matrix[i] = block[i*columns : (i+1)*columns : (i+1)*columns]
	}
	return matrix
}
