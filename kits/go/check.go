package kit

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The input checks of docs/STAGES.md, driven by each stage's signature in stages.go: every
// input in the signature's order for an empty batch, then ragged rows, then its rank and
// shape (dimensions named alike must agree); then the labels (integers, then their range);
// then the domains of invalid_value. The learner is called only when all pass.

// arg is one input of a stage's signature.
type arg struct {
	name    string
	dims    []string // the names of its dimensions; none for a single number
	batch   bool     // [] is an empty batch (a list of no samples), not a list of rank 1
	anyRank bool     // rank 1 or 2 (ReLU's inputs); a rank-1 list is given as one row
	like    string   // has the shape of this earlier input
	labels  bool     // y_true: (B) class indices or (B, C) one-hot rows, by label_format; B is dims[0]
	layout  bool     // weights_layout "neurons_inputs" sends it (N, K): checked so, then transposed
	binary  string   // every entry must be 0 or 1, else an error of this kind
	count   bool     // an integer >= least (an iteration or step count), else invalid_value
	least   int
	bind    string               // a count binds this dimension (training's steps: S)
	domain  func(x float64) bool // a single number must satisfy it, else invalid_value
	within  string               // the domain, in words
	natural bool                 // the book tier: an integer >= 0, else shape_mismatch
	pairs   bool                 // the book tier: a list of [integer, integer] pairs
	kinds   int                  // with pairs: the first of each pair is below kinds (0: any)
	bytes   bool                 // images: every entry an integer 0-255, else invalid_value
	ints    bool                 // a list of integers (preprocess's labels), else shape_mismatch
	keys    bool                 // ints that are a permutation of 0..n-1, else invalid_value
}

func num(name string) arg                { return arg{name: name} }
func vec(name, n string) arg             { return arg{name: name, dims: []string{n}} }
func mat(name, rows, columns string) arg { return arg{name: name, dims: []string{rows, columns}} }
func batch(name string, dims ...string) arg { // [B, K], or [B, H, W] (images)
	return arg{name: name, dims: dims, batch: true}
}
func anyRank(name string) arg     { return arg{name: name, anyRank: true} }
func like(name, other string) arg { return arg{name: name, like: other} }
func labels(name string) arg      { return labelsOf(name, "B") }

// labelsOf are the labels of another batch than B (model_training's validation set, M).
func labelsOf(name, batch string) arg { return arg{name: name, labels: true, dims: []string{batch}} }
func count(name string, least int, bind string) arg {
	return arg{name: name, count: true, least: least, bind: bind}
}
func factor(name string) arg {
	return arg{name: name, domain: func(x float64) bool { return x >= 0 }, within: ">= 0"}
}
func rate(name string) arg {
	return arg{name: name, domain: func(x float64) bool { return x >= 0 && x < 1 }, within: "in [0, 1)"}
}

// natural is a book integer (a seed, a size); pairsOf a list of [integer, integer] pairs (rng's
// [kind, count] calls, init's [n_inputs, n_neurons] shapes).
func natural(name string) arg            { return arg{name: name, natural: true} }
func pairsOf(name string, kinds int) arg { return arg{name: name, pairs: true, kinds: kinds} }

// bytesOf are images (integers 0-255); intsOf a list of integers; keysOf a permutation.
func bytesOf(name string, dims ...string) arg {
	return arg{name: name, dims: dims, batch: true, bytes: true}
}
func intsOf(name, n string) arg { return arg{name: name, dims: []string{n}, ints: true} }
func keysOf(name, n string) arg { return arg{name: name, dims: []string{n}, ints: true, keys: true} }

func (a arg) binaryOr(kind string) arg { a.binary = kind; return a }
func (a arg) transposable() arg        { a.layout = true; return a }

// result is one output of a stage: its dimensions, or the shape of an input, or a shape the
// integers and params give (the book tier, predictions) and where it comes from. An output
// that binds a dimension is a count (a Go int >= 0) that sizes the outputs after it (batches'
// steps: S); one that wants integers must be Go ints where ints says so (predictions).
type result struct {
	name  string
	dims  []string
	like  string
	sized func(a *args) []int
	from  string
	binds string
	ints  func(a *args) bool
}

func out(name string, dims ...string) result { return result{name: name, dims: dims} }
func outLike(name, input string) result      { return result{name: name, like: input} }
func outSized(name, from string, sized func(a *args) []int) result {
	return result{name: name, sized: sized, from: from}
}
func outCount(name, binds string) result { return result{name: name, binds: binds} }

// inputError is an invalid input: an error reply of one of the six kinds.
type inputError struct{ kind, message string }

func (e *inputError) Error() string { return e.message }

func invalid(kind, format string, v ...any) error {
	return &inputError{kind, fmt.Sprintf(format, v...)}
}

// args are a run request's inputs, as checked and read for the learner.
type args struct {
	raw, params map[string]any
	float32     bool              // round every input number to float32 (a float32 port)
	dims        map[string]int    // the value of each named dimension
	boundBy     map[string]string // the input that gave it
	shapes      map[string][]int
	values      map[string]any
	rank1       map[string]bool
}

// request checks what is the runner's business, not the case's: every input and param of
// the signature is there. A param value the kit does not know declines the case.
func (a *args) request(st *stage, labelFormats []string) error {
	for _, in := range st.in {
		if _, ok := a.raw[in.name]; !ok {
			return fmt.Errorf("the run request for %s has no input %q", st.name, in.name)
		}
	}
	for _, p := range st.params {
		if p.values == nil { // a number: the book tier's scale and hyperparameters
			if _, ok := a.params[p.name].(float64); !ok {
				return fmt.Errorf("the run request for %s has no number param %q", st.name, p.name)
			}
			continue
		}
		value, ok := a.params[p.name].(string)
		if !ok {
			return fmt.Errorf("the run request for %s has no string param %q", st.name, p.name)
		}
		if !slices.Contains(p.values, value) {
			return Unsupported(fmt.Sprintf("%s %q is not one of %s", p.name, value, strings.Join(p.values, ", ")))
		}
		if p.name == "label_format" && !slices.Contains(labelFormats, value) {
			return Unsupported(fmt.Sprintf("label_format %q is not declared by this port", value))
		}
	}
	return nil
}

func (a *args) param(name string) string { s, _ := a.params[name].(string); return s }

// paramNumber is a number param, as sent: never rounded to float32, since the book computes with
// its Python floats in double (the learning-rate decay) and rounds them where it uses them.
func (a *args) paramNumber(name string) float64 { x, _ := a.params[name].(float64); return x }

// check checks the inputs in the order of docs/STAGES.md and reads them for the learner.
func (a *args) check(st *stage) error {
	a.dims, a.boundBy = map[string]int{}, map[string]string{}
	a.shapes, a.values, a.rank1 = map[string][]int{}, map[string]any{}, map[string]bool{}
	for _, pass := range []func(arg) error{a.checkShape, a.checkLabels, a.checkDomain, a.read} {
		for _, in := range st.in {
			if err := pass(in); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkShape: an empty batch, ragged rows, the rank, the dimensions. Labels wait until every
// other input has its shape, since their classes may come from a later input (training).
func (a *args) checkShape(in arg) error {
	if in.labels {
		return nil
	}
	return a.shape(in, in.dims)
}

func (a *args) shape(in arg, want []string) error {
	value := a.raw[in.name]
	if list, ok := value.([]any); ok && len(list) == 0 && in.batch {
		return invalid("empty_batch", "%s has no samples", in.name)
	}
	dims, err := shapeOf(in.name, value)
	if err != nil {
		return err
	}
	a.shapes[in.name] = dims
	switch {
	case in.count:
		return nil
	case in.like != "":
		if !slices.Equal(dims, a.shapes[in.like]) {
			return invalid("shape_mismatch", "%s has shape %s, not the shape of %s, %s",
				in.name, show(dims), in.like, show(a.shapes[in.like]))
		}
		return nil
	case in.anyRank:
		if len(dims) != 1 && len(dims) != 2 {
			return invalid("shape_mismatch", "%s must be a list or a matrix (rank 1 or 2), has shape %s", in.name, show(dims))
		}
		return nil
	case in.pairs:
		if len(dims) != 2 || dims[1] != 2 {
			return invalid("shape_mismatch", "%s must be a list of [integer, integer] pairs, has shape %s", in.name, show(dims))
		}
		return nil
	}
	if in.layout && a.param("weights_layout") == "neurons_inputs" {
		want = []string{want[1], want[0]}
	}
	if len(dims) != len(want) {
		if len(want) == 0 {
			return invalid("shape_mismatch", "%s must be a single number, has shape %s", in.name, show(dims))
		}
		return invalid("shape_mismatch", "%s must have rank %d, shape [%s], has shape %s",
			in.name, len(want), strings.Join(want, ", "), show(dims))
	}
	for i, dim := range want {
		if bound, ok := a.dims[dim]; ok && bound != dims[i] {
			return invalid("shape_mismatch", "%s has shape %s: its %s is %d, but %s gives %s = %d",
				in.name, show(dims), dim, dims[i], a.boundBy[dim], dim, bound)
		}
		if _, ok := a.dims[dim]; !ok {
			a.dims[dim], a.boundBy[dim] = dims[i], in.name
		}
	}
	return nil
}

// checkLabels: y_true's shape by its label format, then integers in [0, C) or one-hot rows.
func (a *args) checkLabels(in arg) error {
	if !in.labels {
		return nil
	}
	samples := in.dims[0] // the batch they label
	if a.param("label_format") == "sparse" {
		if err := a.shape(in, []string{samples}); err != nil {
			return err
		}
		classes := a.dims["C"]
		list := a.raw[in.name].([]any)
		indices := make([]int, len(list))
		for i, item := range list {
			x, ok := number(item)
			if !ok || x != math.Trunc(x) || math.IsInf(x, 0) {
				return invalid("invalid_label", "%s[%d] is %s, not a class index (an integer)", in.name, i, showJSON(item))
			}
			if x < 0 || x >= float64(classes) {
				return invalid("label_out_of_range", "%s[%d] is %v, not in [0, %d)", in.name, i, x, classes)
			}
			indices[i] = int(x)
		}
		a.values[in.name] = Labels{Sparse: indices}
		return nil
	}
	if err := a.shape(in, []string{samples, "C"}); err != nil {
		return err
	}
	for i, row := range a.raw[in.name].([]any) {
		ones := 0
		for _, item := range row.([]any) {
			x, ok := item.(float64)
			if !ok || (x != 0 && x != 1) {
				return invalid("invalid_label", "%s[%d] holds %s, not only 0s and 1s", in.name, i, showJSON(item))
			}
			if x == 1 {
				ones++
			}
		}
		if ones != 1 {
			return invalid("invalid_label", "%s[%d] holds %d ones, not one 1 among 0s", in.name, i, ones)
		}
	}
	rows, err := a.readMatrix(in.name, a.raw[in.name], false)
	a.values[in.name] = Labels{OneHot: rows}
	return err
}

// checkDomain: binary entries, counts, factors and rates, on the numbers as sent.
func (a *args) checkDomain(in arg) error {
	value := a.raw[in.name]
	switch {
	case in.binary != "":
		for i, row := range value.([]any) {
			for j, item := range row.([]any) {
				if x, ok := item.(float64); !ok || (x != 0 && x != 1) {
					return invalid(in.binary, "%s[%d][%d] is %s, not 0 or 1", in.name, i, j, showJSON(item))
				}
			}
		}
	case in.count:
		x, ok := value.(float64)
		if !ok || x != math.Trunc(x) || x < float64(in.least) || x > 1<<53 {
			return invalid("invalid_value", "%s is %s, not an integer >= %d", in.name, showJSON(value), in.least)
		}
		a.values[in.name] = int(x)
		if in.bind != "" {
			a.dims[in.bind], a.boundBy[in.bind] = int(x), in.name
		}
	case in.domain != nil:
		if x, ok := number(value); ok && !in.domain(x) {
			return invalid("invalid_value", "%s is %s, not %s", in.name, showJSON(value), in.within)
		}
	case in.bytes:
		return a.readBytes(in)
	case in.ints:
		return a.readInts(in)
	}
	return nil
}

// readBytes reads images [B, H, W] whose every entry is an integer 0-255 (else invalid_value,
// whatever the entry is: the reference refuses a value outside range(256) so).
func (a *args) readBytes(in arg) error {
	images := [][][]uint8{}
	for i, image := range a.raw[in.name].([]any) {
		rows := [][]uint8{}
		for j, row := range image.([]any) {
			pixels := make([]uint8, len(row.([]any)))
			for k, item := range row.([]any) {
				x, ok := item.(float64)
				if !ok || x != math.Trunc(x) || x < 0 || x > 255 {
					return invalid("invalid_value", "%s[%d][%d][%d] is %s, not a byte 0-255", in.name, i, j, k, showJSON(item))
				}
				pixels[k] = uint8(x)
			}
			rows = append(rows, pixels)
		}
		images = append(images, rows)
	}
	a.values[in.name] = images
	return nil
}

// readInts reads a list of integers (else shape_mismatch, as the Python kit); keys must also be
// a permutation of 0..n-1 (else invalid_value, a fractional key too: it is outside the domain,
// as a count's). The kit passes integers up to 2^53 in size.
func (a *args) readInts(in arg) error {
	list := a.raw[in.name].([]any)
	ints, seen := make([]int, len(list)), make([]bool, len(list))
	for i, item := range list {
		x, ok := item.(float64)
		if in.keys && ok && x != math.Trunc(x) {
			return invalid("invalid_value", "%s is not a permutation of integers: %s[%d] is %s",
				in.name, in.name, i, showJSON(item))
		}
		if !ok || x != math.Trunc(x) || math.IsInf(x, 0) {
			return invalid("shape_mismatch", "%s[%d] is %s, not an integer", in.name, i, showJSON(item))
		}
		if math.Abs(x) > 1<<53 {
			return Unsupported(fmt.Sprintf("%s[%d] is %.0f: the Go kit passes integers up to 2^53", in.name, i, x))
		}
		ints[i] = int(x)
		if in.keys {
			if x < 0 || ints[i] >= len(list) || seen[ints[i]] {
				return invalid("invalid_value", "%s is not a permutation of 0..%d: %s[%d] is %d",
					in.name, len(list)-1, in.name, i, ints[i])
			}
			seen[ints[i]] = true
		}
	}
	a.values[in.name] = ints
	return nil
}

// read turns a checked input into the learner's type; an entry that is not a number (a
// boolean, null, a string other than "NaN", "Infinity", "-Infinity") is a shape mismatch.
func (a *args) read(in arg) error {
	if in.labels || in.count || in.bytes || in.ints {
		return nil // read by their checks
	}
	if in.natural || in.pairs {
		return a.readIntegers(in)
	}
	value, dims := a.raw[in.name], a.shapes[in.name]
	var err error
	switch len(dims) {
	case 0:
		x, ok := number(value)
		if !ok {
			return invalid("shape_mismatch", "%s is %s, not a number", in.name, showJSON(value))
		}
		a.values[in.name] = a.round(x)
	case 1:
		var row []float64
		row, err = a.readVector(in.name, -1, value.([]any), make([]float64, dims[0]))
		if in.anyRank || in.like != "" {
			a.values[in.name], a.rank1[in.name] = [][]float64{row}, true
		} else {
			a.values[in.name] = row
		}
	default:
		var rows [][]float64
		rows, err = a.readMatrix(in.name, value, in.layout && a.param("weights_layout") == "neurons_inputs")
		a.values[in.name] = rows
	}
	return err
}

// readIntegers reads a book integer, or a list of pairs of them: each an integer >= 0 (else a
// shape mismatch, as the reference's checks), and declined past 2^32 - 1, the most the kit
// passes (np.random.seed takes no more).
func (a *args) readIntegers(in arg) error {
	integer := func(where string, value any) (int, error) {
		x, ok := value.(float64)
		if !ok || x != math.Trunc(x) || x < 0 {
			return 0, invalid("shape_mismatch", "%s is %s, not an integer >= 0", where, showJSON(value))
		}
		if x > math.MaxUint32 {
			return 0, Unsupported(fmt.Sprintf("%s is %.0f: the Go kit passes integers up to 2^32 - 1", where, x))
		}
		return int(x), nil
	}
	if in.natural {
		x, err := integer(in.name, a.raw[in.name])
		a.values[in.name] = x
		return err
	}
	list := a.raw[in.name].([]any)
	pairs := make([][2]int, len(list))
	for i, pair := range list {
		for j, value := range pair.([]any) {
			x, err := integer(fmt.Sprintf("%s[%d][%d]", in.name, i, j), value)
			if err != nil {
				return err
			}
			pairs[i][j] = x
		}
		if in.kinds > 0 && pairs[i][0] >= in.kinds {
			return invalid("shape_mismatch", "%s[%d][0] is %d, not a kind below %d", in.name, i, pairs[i][0], in.kinds)
		}
	}
	a.values[in.name] = pairs
	return nil
}

func (a *args) round(x float64) float64 {
	if a.float32 {
		return float64(float32(x))
	}
	return x
}

// readVector reads a list of numbers, row row of the input name (-1: the input itself).
func (a *args) readVector(name string, row int, list []any, into []float64) ([]float64, error) {
	for i, item := range list {
		x, ok := number(item)
		if !ok {
			if row >= 0 {
				name = fmt.Sprintf("%s[%d]", name, row)
			}
			return nil, invalid("shape_mismatch", "%s[%d] is %s, not a number", name, i, showJSON(item))
		}
		into[i] = a.round(x)
	}
	return into, nil
}

// readMatrix reads checked rows into one block of memory; transposed, it returns the columns.
func (a *args) readMatrix(name string, value any, transposed bool) ([][]float64, error) {
	list := value.([]any)
	columns := 0
	if len(list) > 0 {
		columns = len(list[0].([]any))
	}
	block := make([]float64, len(list)*columns)
	rows := make([][]float64, len(list))
	for i, item := range list {
		rows[i] = block[i*columns : (i+1)*columns : (i+1)*columns]
		if _, err := a.readVector(name, i, item.([]any), rows[i]); err != nil {
			return nil, err
		}
	}
	if !transposed {
		return rows, nil
	}
	columnsOut := make([][]float64, columns)
	block = make([]float64, len(list)*columns)
	for k := range columnsOut {
		columnsOut[k] = block[k*len(list) : (k+1)*len(list) : (k+1)*len(list)]
		for n, row := range rows {
			columnsOut[k][n] = row[k]
		}
	}
	return columnsOut, nil
}

// shapeOf is the shape of a nested list, as numpy would see it; rows of different shapes
// are ragged. A list of no items has shape [0].
func shapeOf(name string, value any) ([]int, error) {
	dims, ragged := shape(value)
	if ragged != nil {
		list := name + ragged.path
		return nil, invalid("ragged_rows", "%s has rows of different lengths: %s[0] has shape %s, %s[%d] has %s",
			name, list, show(ragged.first), list, ragged.index, show(ragged.other))
	}
	return dims, nil
}

// raggedAt is where a nested list is ragged: the list at path has items of two shapes.
type raggedAt struct {
	path         string
	index        int
	first, other []int
}

func shape(value any) ([]int, *raggedAt) {
	list, ok := value.([]any)
	if !ok {
		return nil, nil
	}
	if len(list) == 0 {
		return []int{0}, nil
	}
	first, ragged := shape(list[0])
	for i := 0; i < len(list); i++ {
		inner := first
		if i > 0 {
			inner, ragged = shape(list[i])
		}
		if ragged != nil {
			ragged.path = fmt.Sprintf("[%d]%s", i, ragged.path)
			return nil, ragged
		}
		if !slices.Equal(inner, first) {
			return nil, &raggedAt{index: i, first: first, other: inner}
		}
	}
	return append([]int{len(list)}, first...), nil
}

// checkOutput checks the shape of what the learner returned for one output.
func (a *args) checkOutput(stage string, r result, value any) error {
	if !writable(value) {
		return fmt.Errorf("%s returned %s as a %T; it must be a float64, an int or slices of them", stage, r.name, value)
	}
	if r.ints != nil && r.ints(a) && !integers(value) {
		return fmt.Errorf("%s returned %s as a %T; it must be integers here (%s)", stage, r.name, value, r.from)
	}
	if r.binds != "" {
		n, ok := value.(int)
		if !ok || n < 0 {
			return fmt.Errorf("%s returned %s = %v; it must be an int >= 0 (it sizes the outputs after it)", stage, r.name, value)
		}
		a.dims[r.binds], a.boundBy[r.binds] = n, r.name
		return nil
	}
	want := a.shapes[r.like]
	switch {
	case r.sized != nil:
		want = r.sized(a)
	case r.like == "":
		want = make([]int, len(r.dims))
		for i, dim := range r.dims {
			want[i] = a.dims[dim]
		}
	}
	got, ragged := outputShape(value)
	if ragged {
		return fmt.Errorf("%s returned %s with rows of different lengths; it must have shape %s",
			stage, r.name, show(want))
	}
	if len(got) == 1 && got[0] == 0 && len(want) > 1 && want[0] == 0 {
		got = want // no rows: their length cannot be seen
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s returned %s of shape %s; it must have shape %s%s",
			stage, r.name, show(got), show(want), a.where(r))
	}
	return nil
}

// where says where the wanted shape comes from: " ([B, N] of inputs and weights)".
func (a *args) where(r result) string {
	if r.sized != nil {
		return " (" + r.from + ")"
	}
	if r.like != "" {
		return ", the shape of " + r.like
	}
	if len(r.dims) == 0 {
		return " (a single number)"
	}
	from := []string{}
	for _, dim := range r.dims {
		if !slices.Contains(from, a.boundBy[dim]) {
			from = append(from, a.boundBy[dim])
		}
	}
	return fmt.Sprintf(" ([%s] of %s)", strings.Join(r.dims, ", "), strings.Join(from, " and "))
}

// writable is a value of a type the kit writes (appendValue).
func writable(value any) bool {
	switch value.(type) {
	case float64, int, []float64, []int, [][]float64, [][]int, [][][]float64:
		return true
	}
	return false
}

// integers is an output of Go ints: an int, []int or [][]int.
func integers(value any) bool {
	switch value.(type) {
	case int, []int, [][]int:
		return true
	}
	return false
}

// outputShape is the shape of an output value by its Go type.
func outputShape(value any) (dims []int, ragged bool) {
	switch v := value.(type) {
	case float64, int:
		return []int{}, false
	case []float64:
		return []int{len(v)}, false
	case []int:
		return []int{len(v)}, false
	case [][]int:
		return matrixShape(v)
	case [][]float64:
		return matrixShape(v)
	case [][][]float64:
		dims = []int{len(v)}
		for i, matrix := range v {
			inner, r := outputShape(matrix)
			if r || (i > 0 && !slices.Equal(inner, dims[1:])) {
				return nil, true
			}
			if i == 0 {
				dims = append(dims, inner...)
			}
		}
		return dims, false
	}
	return nil, true
}

// matrixShape is the shape of rows: [rows, columns], [0] without rows, ragged if they differ.
func matrixShape[T float64 | int](rows [][]T) (dims []int, ragged bool) {
	if len(rows) == 0 {
		return []int{0}, false
	}
	for _, row := range rows {
		if len(row) != len(rows[0]) {
			return nil, true
		}
	}
	return []int{len(rows), len(rows[0])}, false
}

func show(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// showJSON shows a decoded JSON value as it was sent.
func showJSON(value any) string {
	switch v := value.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(value)
}

func typeName(value any) string { return fmt.Sprintf("%T", value) }
