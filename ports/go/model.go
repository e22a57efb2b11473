// The stages of Neural Networks from Scratch, chapters 18 to 22: what the Model adds around the
// network. The data set's preprocessing, Model.train's mini-batches, the output activation's
// predictions, Model.evaluate's accumulated loss and accuracy, Model.train itself (epochs of
// mini-batches with a validation pass), and the saved parameters.

package main

import (
	"encoding/json"
	"os"

	"nnfsconform/kit"
)

// Preprocess is chapter 19's data preparation: each image flattened row by row and scaled
// from bytes to [-1, 1], (X - 127.5) / 127.5, then X[keys] and y[keys] with the shuffled keys.
func Preprocess(images [][][]uint8, labels, keys []int) (x [][]float64, y []int, err error) {
	X := make([][]float64, len(images))
	for i, image := range images {
		X[i] = []float64{}
		for _, row := range image {
			for _, pixel := range row {
				X[i] = append(X[i], (float64(pixel)-127.5)/127.5)
			}
		}
	}
	x, y = make([][]float64, len(keys)), make([]int, len(keys))
	for i, key := range keys {
		x[i], y[i] = X[key], labels[key]
	}
	return x, y, nil
}

// trainSteps is Model.train's number of steps: len(X) // batch_size, plus one for the short
// batch left over.
func trainSteps(samples, batchSize int) int {
	steps := samples / batchSize
	if steps*batchSize < samples {
		steps++
	}
	return steps
}

// batchRows are the rows of batch step, X[step*batch_size:(step+1)*batch_size]: the last
// batch stops at the end of the data (a Python slice does).
func batchRows(step, batchSize, samples int) (start, end int) {
	return step * batchSize, min((step+1)*batchSize, samples)
}

// Batches is Model.train's mini-batches: the steps, and each batch's size, first and last row.
func Batches(inputs [][]float64, batchSize int) (steps int, batchSizes []int,
	firstRows, lastRows [][]float64, err error) {
	steps = trainSteps(len(inputs), batchSize)
	for step := range steps {
		start, end := batchRows(step, batchSize, len(inputs))
		batchX := inputs[start:end]
		batchSizes = append(batchSizes, len(batchX))
		firstRows = append(firstRows, batchX[0])
		lastRows = append(lastRows, batchX[len(batchX)-1])
	}
	return steps, batchSizes, firstRows, lastRows, nil
}

// Predictions is the output activation's predictions(): Activation_Softmax's is the class
// of each row (np.argmax, the first maximum wins), Activation_Sigmoid's is 1 where an output
// is above 0.5 (0 at exactly 0.5), Activation_Linear's the outputs themselves.
func Predictions(outputs [][]float64, activation string) (any, error) {
	switch activation {
	case "softmax":
		classes := make([]int, len(outputs))
		for b, row := range outputs {
			classes[b] = argmax(row)
		}
		return classes, nil
	case "sigmoid":
		binary := make([][]int, len(outputs))
		for b, row := range outputs {
			binary[b] = make([]int, len(row))
			for o, x := range row {
				if x > 0.5 {
					binary[b][o] = 1
				}
			}
		}
		return binary, nil
	}
	return cloneMatrix(outputs), nil // linear
}

// accumulated is what the book's Loss and Accuracy add up over a pass (new_pass starts one):
// a sum and a count, divided once by calculate_accumulated.
type accumulated struct{ sum, count float64 }

func (a *accumulated) add(values ...float64) {
	for _, v := range values {
		a.sum += v
	}
	a.count += float64(len(values))
}

func (a *accumulated) calculateAccumulated() float64 { return a.sum / a.count }

// Evaluate is Model.evaluate on a softmax model's outputs: batch by batch, the loss's and the
// accuracy's calculate add each sample to the pass's sums and counts.
// NOTE: the loss and accuracy are the pass's sums over its counts, not the mean of the batch
// means, which differs when the last batch is short.
func Evaluate(yPred [][]float64, yTrue kit.Labels, batchSize int) (float64, float64, error) {
	var loss, accuracy accumulated
	for step := range trainSteps(len(yPred), batchSize) {
		start, end := batchRows(step, batchSize, len(yPred))
		batchY := sliceLabels(yTrue, start, end)
		sampleLosses, _, _ := CategoricalCrossentropy(yPred[start:end], batchY)
		loss.add(sampleLosses...)
		predictions, _, _ := Accuracy(yPred[start:end], batchY)
		for b, class := range classes(batchY) {
			accuracy.add(oneHot(predictions[b] == class))
		}
	}
	return loss.calculateAccumulated(), accuracy.calculateAccumulated(), nil
}

// ModelTraining is chapters 18-19's Model.train(X, y, epochs=epochs, batch_size=batchSize,
// validation_data=(validationInputs, validationYTrue)) on Dense(K, H, the regularizers dense1
// carries) -> ReLU -> Dense(H, C) -> Softmax with the categorical cross-entropy and the
// optimizer o.Name, whose state starts at zeros. Each epoch trains on the mini-batches in the
// order given (the book shuffles the data once, before training), then prints the epoch's
// accumulated loss and accuracy and runs Model.evaluate on the validation data.
// NOTE: the iterations keep counting across epochs, so a decaying rate keeps decaying.
func ModelTraining(inputs [][]float64, yTrue kit.Labels, validationInputs [][]float64,
	validationYTrue kit.Labels, dense1, dense2 *kit.Layer, o *kit.Optimizer, epochs,
	batchSize int) (kit.Epochs, error) {
	var record kit.Epochs
	updateParams, err := updateParamsOf(o)
	if err != nil {
		return record, err
	}
	for range epochs {
		trained := [][]float64{} // each batch's softmax outputs, from before its update
		for step := range trainSteps(len(inputs), batchSize) {
			start, end := batchRows(step, batchSize, len(inputs))
			net := trainStep(inputs[start:end], sliceLabels(yTrue, start, end), dense1, dense2, o,
				updateParams)
			trained = append(trained, net.Softmax...)
		}
		// NOTE: the epoch's data loss and accuracy are accumulated over its batches (new_pass,
		// then calculate_accumulated): Evaluate's sums over every sample, not the mean of the
		// batch means, which differs when the last batch is short.
		dataLoss, accuracy, _ := Evaluate(trained, yTrue, batchSize)
		// NOTE: the regularization loss is taken at the END of the epoch, from the parameters
		// after its last update; the printed loss adds it to the accumulated data loss.
		regularizationLoss := regularizationLoss(dense1, dense2)
		record.Loss = append(record.Loss, dataLoss+regularizationLoss)
		record.DataLoss = append(record.DataLoss, dataLoss)
		record.RegularizationLoss = append(record.RegularizationLoss, regularizationLoss)
		record.Accuracy = append(record.Accuracy, accuracy)
		// current_learning_rate: the rate the epoch's last step used
		record.LearningRate = append(record.LearningRate, o.CurrentLearningRate)

		// Model.evaluate of the validation data: the forward pass only, in batches of the same
		// size. NOTE: its loss has no regularization.
		validation, _ := DenseReluDenseSoftmax(validationInputs, dense1.Weights, dense1.Biases,
			dense2.Weights, dense2.Biases)
		validationLoss, validationAccuracy, _ := Evaluate(validation.Softmax, validationYTrue,
			batchSize)
		record.ValidationLoss = append(record.ValidationLoss, validationLoss)
		record.ValidationAccuracy = append(record.ValidationAccuracy, validationAccuracy)
	}
	return record, nil // the kit reads the parameters after the last epoch from the layers
}

// regularizationLoss is Loss.regularization_loss(): the penalty of every trainable layer, each
// the Regularization stage's loss (0 for a layer without regularizers).
func regularizationLoss(layers ...*kit.Layer) float64 {
	total := 0.0
	for _, layer := range layers {
		loss, _, _, _ := Regularization(layer)
		total += loss
	}
	return total
}

// sliceLabels are the labels of rows start to end, in the format they came in.
func sliceLabels(yTrue kit.Labels, start, end int) kit.Labels {
	if yTrue.OneHot == nil {
		return kit.Labels{Sparse: yTrue.Sparse[start:end]}
	}
	return kit.Labels{OneHot: yTrue.OneHot[start:end]}
}

// Parameters is chapter 21's round trip: the model's get_parameters, saved to a file, loaded
// into a fresh model with set_parameters; then the fresh model's parameters and its softmax
// output on inputs.
func Parameters(inputs [][]float64, dense1, dense2 *kit.Layer) (loaded1, loaded2 *kit.Layer,
	output [][]float64, err error) {
	file, err := os.CreateTemp("", "nnfs-parameters-*.json")
	if err != nil {
		return nil, nil, nil, err
	}
	path := file.Name()
	file.Close()
	defer os.Remove(path)
	if err := saveParameters(path, dense1, dense2); err != nil {
		return nil, nil, nil, err
	}
	layers, err := loadParameters(path)
	if err != nil {
		return nil, nil, nil, err
	}
	loaded1, loaded2 = layers[0], layers[1]
	net, _ := DenseReluDenseSoftmax(inputs, loaded1.Weights, loaded1.Biases, loaded2.Weights,
		loaded2.Biases)
	return loaded1, loaded2, net.Softmax, nil
}

// saveParameters is Model.save_parameters: get_parameters, each trainable layer's weights and
// biases in order, written to path. The book pickles [(weights, biases), ...]; here it is
// JSON, [[weights1, biases1], [weights2, biases2]], which encoding/json writes in the
// shortest form that reads back as the same double: every digit is kept.
func saveParameters(path string, layers ...*kit.Layer) error {
	parameters := [][]any{}
	for _, layer := range layers {
		parameters = append(parameters, []any{layer.Weights, layer.Biases})
	}
	saved, err := json.Marshal(parameters)
	if err != nil {
		return err
	}
	return os.WriteFile(path, saved, 0o600)
}

// loadParameters is Model.load_parameters: the file read back and set_parameters on fresh
// layers, one per saved (weights, biases) pair.
func loadParameters(path string) ([]*kit.Layer, error) {
	saved, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var parameters [][2]json.RawMessage
	if err := json.Unmarshal(saved, &parameters); err != nil {
		return nil, err
	}
	layers := make([]*kit.Layer, len(parameters))
	for i, pair := range parameters {
		layers[i] = &kit.Layer{}
		if err := json.Unmarshal(pair[0], &layers[i].Weights); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(pair[1], &layers[i].Biases); err != nil {
			return nil, err
		}
	}
	return layers, nil
}
