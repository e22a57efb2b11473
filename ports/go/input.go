// Reading a run message's inputs, decoded by encoding/json, into the stages' types.
//
// The checks here are those of the JSON's structure: a number, a list of numbers (rank 1), a
// list of rows of equal length (rank 2). The stages check that the shapes fit together.

package main

import (
	"fmt"
	"math"
)

// args reads a run message's inputs by name. The first problem is kept in err, and the
// reads after it return zero values, so a stage reads all its inputs and then checks err once.
type args struct {
	values map[string]any // the inputs
	params map[string]any
	err    error
}

func (in *args) get(name string) any {
	value, ok := in.values[name]
	if !ok && in.err == nil {
		in.err = fmt.Errorf("the run message has no input %q", name)
	}
	return value
}

// param is a string parameter, or fallback when the message does not give it.
func (in *args) param(name, fallback string) string {
	value, ok := in.params[name]
	if !ok {
		return fallback
	}
	text, ok := value.(string)
	if !ok && in.err == nil {
		in.err = fmt.Errorf("param %q is not a string", name)
	}
	return text
}

func (in *args) scalar(name string) float64 {
	x, ok := number(in.get(name))
	if !ok && in.err == nil {
		in.err = stageError("shape_mismatch", "%s must be a single number", name)
	}
	return x
}

func (in *args) vector(name string) []float64 {
	values, err := vector(name, in.get(name))
	if in.err == nil {
		in.err = err
	}
	return values
}

func (in *args) matrix(name string) [][]float64 {
	rows, err := matrix(name, in.get(name))
	if in.err == nil {
		in.err = err
	}
	return rows
}

// weights reads a matrix that is not a batch: [] is a list of no numbers, not a matrix.
func (in *args) weights(name string) [][]float64 {
	rows := in.matrix(name)
	if len(rows) == 0 && in.err == nil {
		in.err = stageError("shape_mismatch", "%s must be a matrix (rank 2), is []", name)
	}
	return rows
}

// binary reads a matrix of 0s and 1s (a dropout mask, binary targets); any other entry,
// even a boolean, is an error of the given kind.
func (in *args) binary(name, kind string) [][]float64 {
	list, _ := in.get(name).([]any)
	for i, row := range list {
		items, _ := row.([]any)
		for j, item := range items {
			if _, isRow := item.([]any); !isRow && item != 0.0 && item != 1.0 && in.err == nil {
				in.err = stageError(kind, "%s[%d][%d] is %v, not 0 or 1", name, i, j, item)
			}
		}
	}
	return in.matrix(name)
}

// count reads an iteration or step count: an integer >= least, else an invalid value.
func (in *args) count(name string, least int) int {
	value := in.get(name)
	x, ok := value.(float64)
	if (!ok || x != math.Trunc(x) || x < float64(least) || x > 1<<62) && in.err == nil {
		in.err = stageError("invalid_value", "%s is %v, not an integer >= %d", name, value, least)
	}
	return int(x)
}

// labels reads y_true in the given label format; without one, the rank decides, as in the book.
func (in *args) labels(name, format string) Labels {
	value := in.get(name)
	if format == "" {
		format = "sparse"
		if hasRows(value) {
			format = "onehot"
		}
	}
	y := Labels{Format: format}
	var err error
	switch format {
	case "sparse":
		y.Sparse, err = sparseLabels(name, value)
	case "onehot":
		y.OneHot, err = matrix(name, value)
	default:
		err = fmt.Errorf("unknown label_format %q", format)
	}
	if in.err == nil {
		in.err = err
	}
	return y
}

// nonFinite holds the strings that stand for NaN and the infinities, as JSON has none.
var nonFinite = map[string]float64{
	"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1),
}

// number is a JSON number, or one of the strings of nonFinite.
func number(value any) (float64, bool) {
	switch x := value.(type) {
	case float64:
		return x, true
	case string:
		f, ok := nonFinite[x]
		return f, ok
	}
	return 0, false
}

// vector reads a rank-1 input: a list of numbers.
func vector(name string, value any) ([]float64, error) {
	list, ok := value.([]any)
	if !ok {
		return nil, stageError("shape_mismatch", "%s must be a list of numbers (rank 1)", name)
	}
	values := make([]float64, len(list))
	for i, item := range list {
		if values[i], ok = number(item); !ok {
			return nil, stageError("shape_mismatch", "%s[%d] is not a number", name, i)
		}
	}
	return values, nil
}

// matrix reads a rank-2 input: a list of rows of numbers, all of the same length.
func matrix(name string, value any) ([][]float64, error) {
	list, ok := value.([]any)
	if !ok || (len(list) > 0 && !hasRows(list)) {
		return nil, stageError("shape_mismatch", "%s must be a list of rows (rank 2)", name)
	}
	rows := make([][]float64, len(list))
	for i, item := range list {
		if _, isRow := item.([]any); !isRow {
			return nil, stageError("ragged_rows", "%s mixes rows and single numbers", name)
		}
		row, err := vector(fmt.Sprintf("%s[%d]", name, i), item)
		if err != nil {
			return nil, err
		}
		if i > 0 && len(row) != len(rows[0]) {
			return nil, stageError("ragged_rows", "%s[0] has %d values, %s[%d] has %d",
				name, len(rows[0]), name, i, len(row))
		}
		rows[i] = row
	}
	return rows, nil
}

// sparseLabels reads class indices: a list of numbers, which Labels.Classes checks further.
// A label that is not a number at all is an invalid label, not a shape problem.
func sparseLabels(name string, value any) ([]float64, error) {
	list, ok := value.([]any)
	if !ok || hasRows(list) {
		return nil, stageError("shape_mismatch", "%s must be a list of class indices "+
			"when label_format is sparse", name)
	}
	labels := make([]float64, len(list))
	for i, item := range list {
		if labels[i], ok = number(item); !ok {
			return nil, stageError("invalid_label", "%s[%d] is %v, not an integer", name, i, item)
		}
	}
	return labels, nil
}

// hasRows tells whether value is a list with at least one list in it.
func hasRows(value any) bool {
	list, _ := value.([]any)
	for _, item := range list {
		if _, isRow := item.([]any); isRow {
			return true
		}
	}
	return false
}
