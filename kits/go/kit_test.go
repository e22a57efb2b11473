package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// ask sends one run request to a port and returns the reply line.
func ask(t *testing.T, port *Port, stage, inputs, params string) string {
	t.Helper()
	request := fmt.Sprintf(`{"cmd":"run","seq":7,"stage":%q,"inputs":%s,"params":%s}`, stage, inputs, params)
	reply, err := port.answer([]byte(request))
	if err != nil {
		t.Fatalf("answer(%s) failed: %v", request, err)
	}
	return string(reply)
}

func identity(inputs [][]float64) ([][]float64, error) { return inputs, nil }

// Numbers a lossy reader gets wrong come back exact; the non-finite strings and -0 travel.
func TestHardNumbersReadExactlyAndWriteShortest(t *testing.T) {
	port := &Port{Stages: Stages{Relu: identity}}
	got := ask(t, port, "relu", `{"inputs":[5e-324,2.2250738585072014e-308,1e+23,9007199254740993,`+
		`0.1,-0.0,1e21,1e-7,"NaN","Infinity","-Infinity"]}`, `{}`)
	want := `{"seq":7,"outputs":{"output":[5e-324,2.2250738585072014e-308,1e+23,9007199254740992,` +
		`0.1,-0,1e+21,1e-7,"NaN","Infinity","-Infinity"]}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Finite numbers are written with the very bytes json.Marshal writes.
func TestNumbersAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	random := rand.New(rand.NewSource(1))
	values := []float64{0, 1, -1, 1e-6, 9.999999999999999e-7, 1e20, 1e21, 5e-324, math.MaxFloat64, 123456789.125}
	for range 20000 {
		values = append(values, math.Float64frombits(random.Uint64()))
	}
	for _, x := range values {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		want, _ := json.Marshal(x)
		if got := appendFloat(nil, x); !bytes.Equal(got, want) {
			t.Fatalf("appendFloat(%v) = %s; json.Marshal writes %s", x, got, want)
		}
	}
}

// The hello names exactly the stages set, in pipeline order, and that the kit checks inputs.
func TestHelloListsOnlyTheStagesSet(t *testing.T) {
	port := &Port{Name: "my-port", Stages: Stages{Softmax: identity,
		Neuron: func(_, _ []float64, _ float64) (float64, error) { return 0, nil }}}
	reply, _ := port.answer([]byte(`{"cmd":"hello","protocol":1,"suite_version":"0.1.0"}`))
	want := `{"protocol":1,"name":"my-port","language":"go","dtype":"float64","stages":["neuron","softmax"],` +
		`"label_formats":["sparse","onehot"],"checks_inputs":true}`
	if string(reply) != want {
		t.Errorf("hello = %s\nwant    %s", reply, want)
	}
}

// Every field of Stages is declared in the table, once, and the reverse.
func TestEveryStagesFieldIsInTheTable(t *testing.T) {
	var all Stages
	fields := reflect.ValueOf(&all).Elem()
	for i := range fields.NumField() {
		field := fields.Field(i)
		field.Set(reflect.MakeFunc(field.Type(), func([]reflect.Value) []reflect.Value { return nil }))
		declared := 0
		for _, st := range stageTable {
			if st.has(&all) {
				declared++
			}
		}
		if declared != i+1 {
			t.Fatalf("setting Stages.%s declares %d stages, want %d", fields.Type().Field(i).Name, declared, i+1)
		}
	}
	if len(stageTable) != fields.NumField() {
		t.Errorf("the table has %d stages, Stages has %d fields", len(stageTable), fields.NumField())
	}
}

// Invalid inputs get the kind docs/STAGES.md names, and the learner is never called with them.
func TestInvalidInputsAreAnsweredBeforeTheLearner(t *testing.T) {
	called := false
	never := func(inputs, weights [][]float64, biases []float64) ([][]float64, error) {
		called = true
		return nil, nil
	}
	loss := func(yPred [][]float64, yTrue Labels) ([]float64, float64, error) {
		called = true
		return nil, 0, nil
	}
	port := &Port{Stages: Stages{DenseBatch: never, CategoricalCrossentropy: loss,
		Dropout: func(_, _ [][]float64, _ float64, _ [][]float64) ([][]float64, [][]float64, error) {
			called = true
			return nil, nil, nil
		}}}
	layout := `{"weights_layout":"inputs_neurons"}`
	for _, c := range []struct{ stage, inputs, params, kind string }{
		{"dense_batch", `{"inputs":[],"weights":[[1]],"biases":[1]}`, layout, "empty_batch"},
		{"dense_batch", `{"inputs":[[1,2],[3]],"weights":[[1],[1]],"biases":[1]}`, layout, "ragged_rows"},
		{"dense_batch", `{"inputs":[1,2],"weights":[[1],[1]],"biases":[1]}`, layout, "shape_mismatch"},
		{"dense_batch", `{"inputs":[[1,2]],"weights":[[1],[1],[1]],"biases":[1]}`, layout, "shape_mismatch"},
		{"dense_batch", `{"inputs":[[1,2]],"weights":[[1],[1]],"biases":[1,2]}`, layout, "shape_mismatch"},
		{"dense_batch", `{"inputs":[[1,true]],"weights":[[1],[1]],"biases":[1]}`, layout, "shape_mismatch"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[2]}`, `{"label_format":"sparse"}`, "label_out_of_range"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[-1]}`, `{"label_format":"sparse"}`, "label_out_of_range"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[0.5]}`, `{"label_format":"sparse"}`, "invalid_label"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[true]}`, `{"label_format":"sparse"}`, "invalid_label"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[[1,1]]}`, `{"label_format":"onehot"}`, "invalid_label"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[[1,0]]}`, `{"label_format":"sparse"}`, "shape_mismatch"},
		{"categorical_crossentropy", `{"y_pred":[[0.5,0.5]],"y_true":[0,1]}`, `{"label_format":"sparse"}`, "shape_mismatch"},
		{"dropout", `{"inputs":[[1]],"mask":[[0.5]],"rate":0.5,"dvalues":[[1]]}`, `{}`, "invalid_value"},
		{"dropout", `{"inputs":[[1]],"mask":[[1]],"rate":1,"dvalues":[[1]]}`, `{}`, "invalid_value"},
		{"dropout", `{"inputs":[[1]],"mask":[[1]],"rate":[0.5],"dvalues":[[1]]}`, `{}`, "shape_mismatch"},
	} {
		got := ask(t, port, c.stage, c.inputs, c.params)
		if !strings.Contains(got, `"kind":"`+c.kind+`"`) || called {
			t.Errorf("%s %s: got %s (learner called: %v); want kind %s", c.stage, c.inputs, got, called, c.kind)
		}
	}
}

// Chapter 2's per-neuron weight rows arrive as Layer_Dense's (K, N).
func TestNeuronsInputsWeightsArriveTransposed(t *testing.T) {
	var got [][]float64
	port := &Port{Stages: Stages{DenseBatch: func(inputs, weights [][]float64, biases []float64) ([][]float64, error) {
		got = weights
		return [][]float64{{0, 0}}, nil
	}}}
	ask(t, port, "dense_batch", `{"inputs":[[1,2,3]],"weights":[[1,2,3],[4,5,6]],"biases":[0,0]}`,
		`{"weights_layout":"neurons_inputs"}`)
	if want := [][]float64{{1, 4}, {2, 5}, {3, 6}}; !reflect.DeepEqual(got, want) {
		t.Errorf("weights = %v; want %v", got, want)
	}
}

// A rank-1 ReLU input is one row to the learner and a list again in the reply.
func TestRankOneReluComesBackAsAList(t *testing.T) {
	port := &Port{Stages: Stages{Relu: identity}}
	if got := ask(t, port, "relu", `{"inputs":[]}`, `{}`); got != `{"seq":7,"outputs":{"output":[]}}` {
		t.Errorf("relu [] = %s", got)
	}
	if got := ask(t, port, "relu", `{"inputs":[[1],[2]]}`, `{}`); got != `{"seq":7,"outputs":{"output":[[1],[2]]}}` {
		t.Errorf("relu [[1],[2]] = %s", got)
	}
}

// A learner's error, panic or Unsupported is a reply, and the run goes on.
func TestLearnerErrorsPanicsAndDeclinesAreReplies(t *testing.T) {
	for _, c := range []struct {
		relu func([][]float64) ([][]float64, error)
		want string
	}{
		{func([][]float64) ([][]float64, error) { return nil, errors.New("not yet") },
			`{"seq":7,"error":{"kind":"exception","message":"not yet"}}`},
		{func([][]float64) ([][]float64, error) { return nil, Unsupported("Optimizer_Adam <later>") },
			`{"seq":7,"unsupported":"Optimizer_Adam <later>"}`},
		{func(x [][]float64) ([][]float64, error) { return [][]float64{x[0][:1]}, nil },
			`{"seq":7,"error":{"kind":"exception","message":"relu returned output of shape [1]; it must have shape [2], the shape of inputs"}}`},
		{func(x [][]float64) ([][]float64, error) { return x, []error{}[len(x)-1] },
			`{"seq":7,"error":{"kind":"exception","message":"panic: runtime error: index out of range [0] with length 0 (at kit_test.go:`},
	} {
		port := &Port{Stages: Stages{Relu: c.relu}}
		if got := ask(t, port, "relu", `{"inputs":[1,2]}`, `{}`); !strings.HasPrefix(got, c.want) {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// Path "separate" chains the learner's cross-entropy backward and softmax backward.
func TestSeparatePathChainsTheTwoBackwardStages(t *testing.T) {
	port := &Port{Stages: Stages{
		SoftmaxCrossentropyBackward: func([][]float64, Labels) ([][]float64, error) { return nil, errors.New("combined") },
		CategoricalCrossentropyBackward: func(yPred [][]float64, yTrue Labels) ([][]float64, error) {
			return [][]float64{{float64(yTrue.Sparse[0]), 2}}, nil
		},
		SoftmaxBackward: func(output, dvalues [][]float64) ([][]float64, error) { return dvalues, nil },
	}}
	got := ask(t, port, "softmax_crossentropy_backward", `{"y_pred":[[0.5,0.5]],"y_true":[1]}`,
		`{"label_format":"sparse","path":"separate"}`)
	if want := `{"seq":7,"outputs":{"dinputs":[[1,2]]}}`; got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}

// An optimizer step gives the learner the layer and optimizer, and reads them back.
func TestOptimizerStepReadsTheLayerAndOptimizerBack(t *testing.T) {
	port := &Port{Stages: Stages{SGDStep: func(o *Optimizer, layer *Layer) error {
		o.CurrentLearningRate = o.LearningRate / 2
		layer.Weights[0][0] -= o.CurrentLearningRate * layer.Dweights[0][0]
		layer.WeightMomentums[0][0] = o.Momentum
		o.Iterations++
		return nil
	}}}
	got := ask(t, port, "sgd_step", `{"weights":[[1]],"biases":[2],"dweights":[[4]],"dbiases":[1],`+
		`"weight_momentums":[[0]],"bias_momentums":[0],"iterations":3,"learning_rate":0.5,"decay":0,"momentum":0.75}`, `{}`)
	want := `{"seq":7,"outputs":{"weights":[[0]],"biases":[2],"weight_momentums":[[0.75]],"bias_momentums":[0],` +
		`"learning_rate":0.25,"iterations":4}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// What is not protocol stops the loop with an error naming it; bye and the end of input do not.
func TestRequestsThatAreNotProtocolStopTheLoop(t *testing.T) {
	port := &Port{Stages: Stages{Relu: identity}}
	for request, want := range map[string]string{
		`loss 1.09`:                        "not a JSON object",
		`{"cmd":"run","seq":1,"stage":"re`: "not a JSON object",
		`[1,2]`:                            "not a JSON object",
		`{"cmd":"run"}`:                    `no "seq"`,
		`{"cmd":"fly"}`:                    `unknown cmd "fly"`,
		`{"cmd":"run","seq":1,"stage":"softmax","inputs":{"inputs":[[1]]},"params":{}}`: `stage "softmax" was not declared`,
		`{"cmd":"run","seq":1,"stage":"relu","inputs":{},"params":{}}`:                  `no input "inputs"`,
	} {
		var out bytes.Buffer
		err := serve(port, strings.NewReader(request+"\n"), &out)
		if err == nil || !strings.Contains(err.Error(), want) || out.Len() != 0 {
			t.Errorf("%s: err = %v, wrote %q; want an error with %q", request, err, out.String(), want)
		}
	}
	var out bytes.Buffer
	input := "{\"cmd\":\"hello\"}\n\n{\"cmd\":\"run\",\"seq\":1,\"stage\":\"relu\",\"inputs\":{\"inputs\":[1]}}\n{\"cmd\":\"bye\"}\n{\"cmd\":\"fly\"}\n"
	if err := serve(port, strings.NewReader(input), &out); err != nil || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("serve wrote %q, %v; want the hello and one reply", out.String(), err)
	}
}

// A float32 port reads every input number rounded to float32; labels stay integers.
func TestFloat32PortReadsInputsRoundedToFloat32(t *testing.T) {
	port := &Port{Dtype: "float32", Stages: Stages{Relu: identity}}
	if got := ask(t, port, "relu", `{"inputs":[0.1]}`, `{}`); got != `{"seq":7,"outputs":{"output":[0.10000000149011612]}}` {
		t.Errorf("got %s", got)
	}
}

// The book tier's integers reach the learner exactly, even in a float32 port (2^32 - 1 is no
// float32), and rng's output has a value per draw.
func TestBookIntegersAreReadExactly(t *testing.T) {
	var gotSeed uint32
	var gotCalls []RngCall
	port := &Port{Dtype: "float32", Stages: Stages{Rng: func(seed uint32, calls []RngCall) ([]float64, error) {
		gotSeed, gotCalls = seed, calls
		return []float64{4294967295, 0.1, 1, 2, 3}, nil
	}}}
	got := ask(t, port, "rng", `{"seed":4294967295,"calls":[[0,1],[1,1.0],[2,3]]}`, `{}`)
	if want := `{"seq":7,"outputs":{"values":[4294967295,0.1,1,2,3]}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	wantCalls := []RngCall{{DrawUint32, 1}, {DrawDouble, 1}, {DrawGauss, 3}}
	if gotSeed != 4294967295 || !reflect.DeepEqual(gotCalls, wantCalls) {
		t.Errorf("the learner got seed %d, calls %v; want 4294967295, %v", gotSeed, gotCalls, wantCalls)
	}
	got = ask(t, port, "rng", `{"seed":0,"calls":[[2,4]]}`, `{}`)
	if want := "rng returned values of shape [5]; it must have shape [4] (the draws the calls ask for)"; !strings.Contains(got, want) {
		t.Errorf("got %s; want the message %q", got, want)
	}
}

// A book integer that is not one, or a list that is not of pairs, is a shape mismatch, as in
// the reference; a seed np.random.seed refuses is declined. The learner is never called.
func TestBookInputsAreCheckedBeforeTheLearner(t *testing.T) {
	called := false
	port := &Port{Stages: Stages{
		Rng: func(uint32, []RngCall) ([]float64, error) { called = true; return nil, nil },
		Init: func(uint32, int, []LayerShape, float64) ([]float64, error) {
			called = true
			return nil, nil
		}}}
	for _, c := range []struct{ stage, inputs, params, want string }{
		{"rng", `{"seed":1.5,"calls":[[0,1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":-1,"calls":[[0,1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":[0],"calls":[[0,1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":"0","calls":[[0,1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":0,"calls":[[3,1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":0,"calls":[[0,-1]]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":0,"calls":[0,1]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":0,"calls":[]}`, `{}`, `"kind":"shape_mismatch"`},
		{"rng", `{"seed":0,"calls":[[0,1],[1]]}`, `{}`, `"kind":"ragged_rows"`},
		{"rng", `{"seed":4294967296,"calls":[[0,1]]}`, `{}`, `"unsupported":"seed is 4294967296: the Go kit passes integers up to 2^32 - 1"`},
		{"init", `{"seed":0,"skip":0,"shapes":[[2,3,4]]}`, `{"scale":0.01}`, `"kind":"shape_mismatch"`},
		{"init", `{"seed":0,"skip":0.5,"shapes":[[2,3]]}`, `{"scale":0.01}`, `"kind":"shape_mismatch"`},
	} {
		if got := ask(t, port, c.stage, c.inputs, c.params); !strings.Contains(got, c.want) || called {
			t.Errorf("%s %s: got %s (learner called: %v); want %s", c.stage, c.inputs, got, called, c.want)
		}
	}
}

// init gets its layers' shapes and the scale as sent, and returns every weight, flat.
func TestInitGetsShapesAndScale(t *testing.T) {
	port := &Port{Dtype: "float32", Stages: Stages{Init: func(seed uint32, skip int, shapes []LayerShape, scale float64) ([]float64, error) {
		if seed != 5 || skip != 300 || !reflect.DeepEqual(shapes, []LayerShape{{2, 3}, {3, 1}}) || scale != 0.01 {
			return nil, fmt.Errorf("got %d %d %v %v", seed, skip, shapes, scale)
		}
		return make([]float64, 2*3+3*1), nil
	}}}
	got := ask(t, port, "init", `{"seed":5,"skip":300,"shapes":[[2,3],[3,1]]}`, `{"scale":0.01}`)
	if want := `{"seq":7,"outputs":{"weights":[0,0,0,0,0,0,0,0,0]}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// shuffle gives the learner the seed and the number of samples, and writes a key per sample.
func TestShuffleWritesAKeyPerSample(t *testing.T) {
	port := &Port{Dtype: "float32", Stages: Stages{Shuffle: func(seed uint32, samples int) ([]int, error) {
		if seed == 4294967295 {
			return []int{samples}, nil
		}
		return make([]int, samples), nil
	}}}
	for inputs, want := range map[string]string{
		`{"seed":0,"samples":3}`:          `{"seq":7,"outputs":{"keys":[0,0,0]}}`,
		`{"seed":0,"samples":0}`:          `{"seq":7,"outputs":{"keys":[]}}`,
		`{"seed":4294967295,"samples":2}`: `{"seq":7,"error":{"kind":"exception","message":"shuffle returned keys of shape [1]; it must have shape [2] (one per sample)"}}`,
		`{"seed":0,"samples":-2}`:         `{"seq":7,"error":{"kind":"shape_mismatch","message":"samples is -2, not an integer >= 0"}}`,
	} {
		if got := ask(t, port, "shuffle", inputs, `{}`); got != want {
			t.Errorf("%s: got  %s\nwant %s", inputs, got, want)
		}
	}
}

// datasets writes y as the labels of spiral_data and vertical_data, and as the targets of
// sine_data, each checked for its shape.
func TestDatasetsWritesLabelsOrSineTargets(t *testing.T) {
	port := &Port{Stages: Stages{Datasets: func(dataset string, seed uint32, samples, classes int) (Dataset, error) {
		if dataset == "sine" && seed == 0 {
			return Dataset{X: [][]float64{{0}, {0.5}}, Targets: [][]float64{{0}, {1.5}}}, nil
		}
		if dataset == "sine" { // labels where sine_data has targets
			return Dataset{X: [][]float64{{0}, {0.5}}, Y: []int{0, 0}}, nil
		}
		return Dataset{X: [][]float64{{1, 2}, {3, 4}, {5, 6}}, Y: []int{0, 0, 1}}, nil
	}}}
	for _, c := range []struct{ inputs, dataset, want string }{
		{`{"seed":0,"samples":3,"classes":1}`, "vertical", `{"seq":7,"outputs":{"x":[[1,2],[3,4],[5,6]],"y":[0,0,1]}}`},
		{`{"seed":0,"samples":2,"classes":7}`, "sine", `{"seq":7,"outputs":{"x":[[0],[0.5]],"y":[[0],[1.5]]}}`},
		{`{"seed":0,"samples":2,"classes":2}`, "spiral", `{"seq":7,"error":{"kind":"exception","message":"datasets returned x of shape [3, 2]; it must have shape [4, 2] (samples·classes rows of 2; sine_data: samples rows of 1)"}}`},
		{`{"seed":1,"samples":2,"classes":1}`, "sine", `{"seq":7,"error":{"kind":"exception","message":"datasets returned y of shape [0]; it must have shape [2, 1] (a label per row; sine_data: a row of 1 per sample)"}}`},
		{`{"seed":0,"samples":3,"classes":1}`, "moons", `{"seq":7,"unsupported":"dataset \"moons\" is not one of spiral, vertical, sine"}`},
	} {
		if got := ask(t, port, "datasets", c.inputs, `{"dataset":"`+c.dataset+`"}`); got != c.want {
			t.Errorf("%s %s: got %s\nwant %s", c.dataset, c.inputs, got, c.want)
		}
	}
}

// chapters gets the optimizer the book's script builds, its numbers never rounded to float32
// (the learning-rate decay is double arithmetic), and what it prints is checked for its shape.
func TestChaptersGetsTheBooksOptimizerAndPrints(t *testing.T) {
	var got Optimizer
	port := &Port{Dtype: "float32", Stages: Stages{Chapters: func(seed uint32, samples, classes, hidden, steps int,
		printed string, o *Optimizer) (any, error) {
		got = *o
		switch printed {
		case "loss":
			return 1.0986104, nil
		case "dbiases1":
			return [][]float64{make([]float64, hidden)}, nil
		case "dense1_output":
			return [][]float64{make([]float64, hidden)}, nil
		}
		return float32(0.5), nil
	}}}
	inputs := `{"seed":0,"samples":100,"classes":3,"hidden":4,"steps":1}`
	params := func(printed string) string {
		return `{"printed":"` + printed + `","optimizer":"adam","learning_rate":0.05,"decay":5e-7,"momentum":0}`
	}
	for printed, want := range map[string]string{
		"loss":          `{"seq":7,"outputs":{"value":1.0986104}}`,
		"dbiases1":      `{"seq":7,"outputs":{"value":[[0,0,0,0]]}}`,
		"dense1_output": `{"seq":7,"error":{"kind":"exception","message":"chapters returned value of shape [1, 4]; it must have shape [5, 4] (what printed names)"}}`,
		"accuracy":      `{"seq":7,"error":{"kind":"exception","message":"chapters returned value as a float32; it must be a float64, an int or slices of them"}}`,
		"epoch":         `{"seq":7,"unsupported":"printed \"epoch\" is not one of`,
	} {
		if reply := ask(t, port, "chapters", inputs, params(printed)); !strings.HasPrefix(reply, want) {
			t.Errorf("%s: got %s\nwant %s", printed, reply, want)
		}
	}
	want := Optimizer{Name: "adam", LearningRate: 0.05, CurrentLearningRate: 0.05, Decay: 5e-7,
		Epsilon: 1e-7, Rho: 0.9, Beta1: 0.9, Beta2: 0.999}
	if got != want {
		t.Errorf("the learner got the optimizer %+v; want %+v", got, want)
	}
	if _, err := port.answer([]byte(`{"cmd":"run","seq":1,"stage":"chapters","inputs":` + inputs +
		`,"params":{"printed":"loss","optimizer":"sgd","learning_rate":"1","decay":0,"momentum":0}}`)); err == nil ||
		!strings.Contains(err.Error(), `no number param "learning_rate"`) {
		t.Errorf("a param that is not a number: err = %v; want the request refused", err)
	}
}

// The stdout guard: a learner's fmt.Println lands on stderr, the replies stay clean, and a
// bad request exits 1 with one line on stderr. Run as a child process (see TestMain).
func TestLearnerPrintsGoToStderr(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KIT_TEST_PORT=1")
	cmd.Stdin = strings.NewReader(`{"cmd":"hello"}` + "\n" +
		`{"cmd":"run","seq":3,"stage":"relu","inputs":{"inputs":[1]},"params":{}}` + "\n" + "garbage\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || lines[1] != `{"seq":3,"outputs":{"output":[1]}}` {
		t.Errorf("stdout = %q; want the hello and the reply only", stdout.String())
	}
	exit, _ := err.(*exec.ExitError)
	if exit == nil || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), "debug: [[1]]\n") ||
		strings.Count(stderr.String(), "\n") != 2 || !strings.Contains(stderr.String(), "test-port: cannot answer line 3 (garbage)") {
		t.Errorf("exit %v, stderr = %q; want exit 1, the print and one line naming line 3", err, stderr.String())
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("KIT_TEST_PORT") == "1" {
		Serve(Port{Name: "test-port", Stages: Stages{Relu: func(x [][]float64) ([][]float64, error) {
			fmt.Println("debug:", x)
			return x, nil
		}}})
	}
	os.Exit(m.Run())
}

// preprocess's images are bytes 0-255 (anything else is invalid_value), its labels integers
// (else shape_mismatch) and its keys a permutation of 0..B-1 (else invalid_value); they reach
// the learner as uint8 and ints, and x must come back [B, H·W].
func TestPreprocessReadsBytesLabelsAndAPermutation(t *testing.T) {
	var got [][][]uint8
	port := &Port{Dtype: "float32", Stages: Stages{Preprocess: func(images [][][]uint8, labels, keys []int) ([][]float64, []int, error) {
		got = images
		x := [][]float64{}
		for _, key := range keys {
			row := []float64{}
			for _, r := range images[key] {
				for _, pixel := range r {
					row = append(row, float64(pixel))
				}
			}
			x = append(x, row)
		}
		if labels[0] == 9 { // a learner that forgot to flatten
			return [][]float64{{0}, {0}}, labels, nil
		}
		return x, []int{labels[keys[0]], labels[keys[1]]}, nil
	}}}
	two := func(images, labels, keys string) string {
		return ask(t, port, "preprocess", `{"images":`+images+`,"labels":`+labels+`,"keys":`+keys+`}`, `{}`)
	}
	if reply := two(`[[[0,255]],[[7,128.0]]]`, `[3,4]`, `[1,0]`); reply != `{"seq":7,"outputs":{"x":[[7,128],[0,255]],"y":[4,3]}}` {
		t.Errorf("got %s", reply)
	}
	if want := [][][]uint8{{{0, 255}}, {{7, 128}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("images = %v; want %v", got, want)
	}
	for _, c := range []struct{ images, labels, keys, want string }{
		{`[[[0,256]],[[0,0]]]`, `[0,1]`, `[0,1]`, `"kind":"invalid_value","message":"images[0][0][1] is 256, not a byte 0-255"`},
		{`[[[0,-1]],[[0,0]]]`, `[0,1]`, `[0,1]`, `"kind":"invalid_value"`},
		{`[[[0,0.5]],[[0,0]]]`, `[0,1]`, `[0,1]`, `"kind":"invalid_value"`},
		{`[[[0,true]],[[0,0]]]`, `[0,1]`, `[0,1]`, `"kind":"invalid_value"`},
		{`[[[0,"1"]],[[0,0]]]`, `[0,1]`, `[0,1]`, `"kind":"invalid_value"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1]`, `[0,0]`, `"kind":"invalid_value","message":"keys is not a permutation of 0..1: keys[1] is 0"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1]`, `[0,2]`, `"kind":"invalid_value"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1]`, `[-1,0]`, `"kind":"invalid_value"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1]`, `[0.5,1]`, `"kind":"invalid_value","message":"keys is not a permutation of integers: keys[0] is 0.5"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1.5]`, `[0,1]`, `"kind":"shape_mismatch","message":"labels[1] is 1.5, not an integer"`},
		{`[[[0,0]],[[0,0]]]`, `[0]`, `[0,1]`, `"kind":"shape_mismatch"`},
		{`[[[0,0]],[[0,0]]]`, `[0,1]`, `[0]`, `"kind":"shape_mismatch"`},
		{`[[0,0],[0,0]]`, `[0,1]`, `[0,1]`, `"kind":"shape_mismatch","message":"images must have rank 3, shape [B, H, W], has shape [2, 2]"`},
		{`[[[0,0]],[[0]]]`, `[0,1]`, `[0,1]`, `"kind":"ragged_rows"`},
		{`[]`, `[]`, `[]`, `"kind":"empty_batch"`},
		{`[[[0,0]],[[0,0]]]`, `[9,1]`, `[0,1]`, `"kind":"exception","message":"preprocess returned x of shape [2, 1]; it must have shape [2, 2] ([B, H·W]: each image flattened)"`},
	} {
		if reply := two(c.images, c.labels, c.keys); !strings.Contains(reply, c.want) {
			t.Errorf("%s %s %s: got %s; want %s", c.images, c.labels, c.keys, reply, c.want)
		}
	}
}

// predictions' shape and type follow the activation: softmax a class per row ([]int, B),
// sigmoid 0 or 1 per output ([][]int, B×N), linear the outputs ([][]float64, B×N).
func TestPredictionsAreShapedByTheActivation(t *testing.T) {
	var returned any
	port := &Port{Stages: Stages{Predictions: func(inputs [][]float64, activation string) (any, error) {
		return returned, nil
	}}}
	inputs := `{"inputs":[[0.25,0.75,0],[0.5,0.5,0]]}`
	for _, c := range []struct {
		activation string
		returned   any
		want       string
	}{
		{"softmax", []int{1, 0}, `{"seq":7,"outputs":{"predictions":[1,0]}}`},
		{"sigmoid", [][]int{{0, 1, 0}, {0, 0, 0}}, `{"seq":7,"outputs":{"predictions":[[0,1,0],[0,0,0]]}}`},
		{"linear", [][]float64{{0.25, 0.75, 0}, {0.5, 0.5, 0}}, `{"seq":7,"outputs":{"predictions":[[0.25,0.75,0],[0.5,0.5,0]]}}`},
		{"softmax", [][]int{{0, 1, 0}, {1, 0, 0}}, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions of shape [2, 3]; it must have shape [2] (softmax: []int`},
		{"softmax", []float64{1, 0}, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions as a []float64; it must be integers here (softmax: []int`},
		{"sigmoid", [][]float64{{0, 1, 0}, {0, 0, 0}}, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions as a [][]float64; it must be integers here`},
		{"sigmoid", []int{1, 0}, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions of shape [2]; it must have shape [2, 3]`},
		{"linear", [][]float64{{0.25, 0.75}, {0.5, 0.5}}, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions of shape [2, 2]; it must have shape [2, 3]`},
		{"linear", nil, `{"seq":7,"error":{"kind":"exception","message":"predictions returned predictions as a <nil>`},
		{"tanh", nil, `{"seq":7,"unsupported":"activation \"tanh\" is not one of softmax, sigmoid, linear"}`},
	} {
		returned = c.returned
		if reply := ask(t, port, "predictions", inputs, `{"activation":"`+c.activation+`"}`); !strings.HasPrefix(reply, c.want) {
			t.Errorf("%s %v: got %s\nwant %s", c.activation, c.returned, reply, c.want)
		}
	}
	for inputs, kind := range map[string]string{`{"inputs":[]}`: "empty_batch",
		`{"inputs":[0.5,0.25]}`: "shape_mismatch", `{"inputs":[[0.5,0.5],[1]]}`: "ragged_rows"} {
		if reply := ask(t, port, "predictions", inputs, `{"activation":"softmax"}`); !strings.Contains(reply, `"kind":"`+kind+`"`) {
			t.Errorf("%s: got %s; want %s", inputs, reply, kind)
		}
	}
}

// repeated_forward has two batches of their own sizes: inputs1 B rows, inputs2 and dvalues D
// rows; each output is shaped by its batch, and either batch empty is empty_batch.
func TestRepeatedForwardHasASecondBatchSize(t *testing.T) {
	var sizes []int
	port := &Port{Stages: Stages{RepeatedForward: func(inputs1, inputs2, weights [][]float64, biases []float64,
		dvalues [][]float64) ([][]float64, [][]float64, [][]float64, []float64, [][]float64, error) {
		sizes = []int{len(inputs1), len(inputs2), len(dvalues)}
		n := len(biases)
		return zeros(len(inputs1), n), zeros(len(inputs2), n), zeros(len(weights), n), make([]float64, n),
			zeros(len(inputs2), len(weights)), nil
	}}}
	got := ask(t, port, "repeated_forward", `{"inputs1":[[1,2],[3,4],[5,6]],"inputs2":[[7,8]],`+
		`"weights":[[1],[1]],"biases":[0],"dvalues":[[1]]}`, `{}`)
	want := `{"seq":7,"outputs":{"output1":[[0],[0],[0]],"output2":[[0]],"dweights":[[0],[0]],"dbiases":[0],"dinputs":[[0,0]]}}`
	if got != want || !reflect.DeepEqual(sizes, []int{3, 1, 1}) {
		t.Errorf("got %s (sizes %v)\nwant %s (sizes [3 1 1])", got, sizes, want)
	}
	for _, c := range []struct{ inputs, want string }{
		{`{"inputs1":[[1,2],[3,4]],"inputs2":[[1,2]],"weights":[[1],[1]],"biases":[0],"dvalues":[[1],[1]]}`,
			`"kind":"shape_mismatch","message":"dvalues has shape [2, 1]: its D is 2, but inputs2 gives D = 1"`},
		{`{"inputs1":[[1,2]],"inputs2":[[1,2,3]],"weights":[[1],[1]],"biases":[0],"dvalues":[[1]]}`,
			`"kind":"shape_mismatch","message":"inputs2 has shape [1, 3]: its K is 3, but inputs1 gives K = 2"`},
		{`{"inputs1":[],"inputs2":[[1,2]],"weights":[[1],[1]],"biases":[0],"dvalues":[[1]]}`, `"kind":"empty_batch","message":"inputs1 has no samples"`},
		{`{"inputs1":[[1,2]],"inputs2":[],"weights":[[1],[1]],"biases":[0],"dvalues":[]}`, `"kind":"empty_batch","message":"inputs2 has no samples"`},
		{`{"inputs1":[[1,2],[1]],"inputs2":[[1,2]],"weights":[[1],[1]],"biases":[0],"dvalues":[[1]]}`, `"kind":"ragged_rows"`},
	} {
		if reply := ask(t, port, "repeated_forward", c.inputs, `{}`); !strings.Contains(reply, c.want) {
			t.Errorf("%s: got %s; want %s", c.inputs, reply, c.want)
		}
	}
}

// batches' batch_size is an integer >= 1; its steps output sizes the outputs after it, which
// the inputs cannot tell.
func TestBatchesStepsSizeTheOtherOutputs(t *testing.T) {
	extra := 0
	port := &Port{Stages: Stages{Batches: func(inputs [][]float64, batchSize int) (int, []int, [][]float64, [][]float64, error) {
		steps := (len(inputs)+batchSize-1)/batchSize + extra
		sizes, first, last := []int{}, [][]float64{}, [][]float64{}
		for s := range steps - extra {
			end := min((s+1)*batchSize, len(inputs))
			sizes = append(sizes, end-s*batchSize)
			first, last = append(first, inputs[s*batchSize]), append(last, inputs[end-1])
		}
		return steps, sizes, first, last, nil
	}}}
	inputs := `"inputs":[[0,0],[1,-1],[2,-2]]`
	if got, want := ask(t, port, "batches", `{`+inputs+`,"batch_size":2}`, `{}`),
		`{"seq":7,"outputs":{"steps":2,"batch_sizes":[2,1],"first_rows":[[0,0],[2,-2]],"last_rows":[[1,-1],[2,-2]]}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, want := ask(t, port, "batches", `{`+inputs+`,"batch_size":5}`, `{}`),
		`{"seq":7,"outputs":{"steps":1,"batch_sizes":[3],"first_rows":[[0,0]],"last_rows":[[2,-2]]}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	extra = 1 // a step too many: the lists are one short of it
	if got, want := ask(t, port, "batches", `{`+inputs+`,"batch_size":2}`, `{}`),
		"batches returned batch_sizes of shape [2]; it must have shape [3] ([S] of steps)"; !strings.Contains(got, want) {
		t.Errorf("got %s; want the message %q", got, want)
	}
	for size, kind := range map[string]string{`0`: "invalid_value", `-4`: "invalid_value", `2.5`: "invalid_value",
		`"2"`: "invalid_value", `[2]`: "invalid_value"} {
		if got := ask(t, port, "batches", `{`+inputs+`,"batch_size":`+size+`}`, `{}`); !strings.Contains(got, `"kind":"`+kind+`"`) {
			t.Errorf("batch_size %s: got %s; want %s", size, got, kind)
		}
	}
}

// The Model's other stages: evaluate's labels and batch_size, regression_accuracy's
// precision, shared_optimizer's two layers and steps, and parameters' loaded layers.
func TestModelStagesGetTheirLayersAndCounts(t *testing.T) {
	var calls []string
	port := &Port{Stages: Stages{
		Evaluate: func(yPred [][]float64, yTrue Labels, batchSize int) (float64, float64, error) {
			calls = append(calls, fmt.Sprint("evaluate ", yTrue.Sparse, " ", yTrue.OneHot, " ", batchSize))
			return 0.5, 1, nil
		},
		RegressionAccuracy: func(yPred, yTrue [][]float64, precision float64) (float64, error) {
			calls = append(calls, fmt.Sprint("regression_accuracy ", precision))
			return 1, nil
		},
		SharedOptimizer: func(o *Optimizer, dense1, dense2 *Layer, steps int) error {
			calls = append(calls, fmt.Sprint("shared_optimizer ", o.Name, " ", o.LearningRate, " ", o.Beta2, " ", steps, " ",
				dense1.Dweights, dense2.Dbiases, dense1.WeightCache, dense2.BiasMomentums))
			dense1.Weights[0][0] -= float64(steps)
			return nil
		},
		Parameters: func(inputs [][]float64, dense1, dense2 *Layer) (*Layer, *Layer, [][]float64, error) {
			switch inputs[0][0] {
			case 0: // a layer lost
				return dense1, nil, [][]float64{{0.5, 0.5}}, nil
			case 2: // the output of the wrong layer
				return dense1, dense2, [][]float64{{1}}, nil
			}
			return &Layer{Weights: dense1.Weights, Biases: dense1.Biases}, dense2, [][]float64{{0.5, 0.5}}, nil
		},
	}}
	yPred := `"y_pred":[[0.75,0.25],[0.5,0.5],[0,1]]`
	for _, c := range []struct{ stage, inputs, params, want string }{
		{"evaluate", `{` + yPred + `,"y_true":[0,1,1],"batch_size":2}`, `{"label_format":"sparse"}`, `{"seq":7,"outputs":{"loss":0.5,"accuracy":1}}`},
		{"evaluate", `{` + yPred + `,"y_true":[[1,0],[0,1],[0,1]],"batch_size":4}`, `{"label_format":"onehot"}`, `{"seq":7,"outputs":{"loss":0.5,"accuracy":1}}`},
		{"evaluate", `{` + yPred + `,"y_true":[0,2,1],"batch_size":2}`, `{"label_format":"sparse"}`, `"kind":"label_out_of_range"`},
		{"evaluate", `{` + yPred + `,"y_true":[0,1,1],"batch_size":0}`, `{"label_format":"sparse"}`, `"kind":"invalid_value","message":"batch_size is 0, not an integer >= 1"`},
		{"regression_accuracy", `{"y_pred":[[1]],"y_true":[[1]],"precision":0}`, `{}`, `{"seq":7,"outputs":{"accuracy":1}}`},
		{"regression_accuracy", `{"y_pred":[[1]],"y_true":[[1]],"precision":-0.5}`, `{}`, `"kind":"invalid_value","message":"precision is -0.5, not >= 0"`},
		{"regression_accuracy", `{"y_pred":[[1]],"y_true":[[1]],"precision":[0.5]}`, `{}`, `"kind":"shape_mismatch"`},
		{"regression_accuracy", `{"y_pred":[[1,2]],"y_true":[[1]],"precision":0.5}`, `{}`, `"kind":"shape_mismatch"`},
		{"shared_optimizer", `{"weights1":[[1,2]],"biases1":[0,0],"weights2":[[1],[1]],"biases2":[0],"dweights1":[[3,4]],"dbiases1":[0,0],` +
			`"dweights2":[[1],[1]],"dbiases2":[5],"steps":3,"learning_rate":0.25,"decay":0,"epsilon":1e-7,"beta_1":0.9,"beta_2":0.999}`, `{}`,
			`{"seq":7,"outputs":{"weights1":[[-2,2]],"biases1":[0,0],"weights2":[[1],[1]],"biases2":[0]}}`},
		{"shared_optimizer", `{"weights1":[[1,2]],"biases1":[0,0],"weights2":[[1]],"biases2":[0],"dweights1":[[3,4]],"dbiases1":[0,0],` +
			`"dweights2":[[1]],"dbiases2":[5],"steps":3,"learning_rate":0.25,"decay":0,"epsilon":1e-7,"beta_1":0.9,"beta_2":0.999}`, `{}`,
			`"kind":"shape_mismatch","message":"weights2 has shape [1, 1]: its H is 1, but weights1 gives H = 2"`},
		{"shared_optimizer", `{"weights1":[[1]],"biases1":[0],"weights2":[[1]],"biases2":[0],"dweights1":[[3]],"dbiases1":[0],` +
			`"dweights2":[[1]],"dbiases2":[5],"steps":0,"learning_rate":0.25,"decay":0,"epsilon":1e-7,"beta_1":0.9,"beta_2":0.999}`, `{}`,
			`"kind":"invalid_value","message":"steps is 0, not an integer >= 1"`},
		{"parameters", `{"inputs":[[1,2]],"weights1":[[1],[2]],"biases1":[3],"weights2":[[4,5]],"biases2":[6,7]}`, `{}`,
			`{"seq":7,"outputs":{"weights1":[[1],[2]],"biases1":[3],"weights2":[[4,5]],"biases2":[6,7],"output":[[0.5,0.5]]}}`},
		{"parameters", `{"inputs":[[0,2]],"weights1":[[1],[2]],"biases1":[3],"weights2":[[4,5]],"biases2":[6,7]}`, `{}`,
			`"kind":"exception","message":"parameters returned a nil layer; it must return the two loaded layers"`},
		{"parameters", `{"inputs":[[2,2]],"weights1":[[1],[2]],"biases1":[3],"weights2":[[4,5]],"biases2":[6,7]}`, `{}`,
			`"kind":"exception","message":"parameters returned output of shape [1, 1]; it must have shape [1, 2] ([B, C] of inputs and weights2)"`},
	} {
		if reply := ask(t, port, c.stage, c.inputs, c.params); !strings.Contains(reply, c.want) {
			t.Errorf("%s %s: got %s\nwant %s", c.stage, c.inputs, reply, c.want)
		}
	}
	want := []string{"evaluate [0 1 1] [] 2", "evaluate [] [[1 0] [0 1] [0 1]] 4", "regression_accuracy 0",
		"shared_optimizer adam 0.25 0.999 3 [[3 4]] [5] [[0 0]] [0]"}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("the learner got %q;\nwant %q", calls, want)
	}
}

// model_training's validation set is a batch of its own: validation_inputs M rows (K columns,
// as inputs), validation_y_true M labels of the same C classes; epochs (an integer >= 1) gives
// each per-epoch output its length, and the layers are read back after the learner trained
// them, the first with its four regularizers.
func TestModelTrainingHasAValidationSetOfItsOwnSize(t *testing.T) {
	var got []string
	port := &Port{Stages: Stages{ModelTraining: func(inputs [][]float64, yTrue Labels, validationInputs [][]float64,
		validationYTrue Labels, dense1, dense2 *Layer, o *Optimizer, epochs, batchSize int) (Epochs, error) {
		got = append(got, fmt.Sprint(len(inputs), " ", yTrue.Sparse, yTrue.OneHot, " ", len(validationInputs), " ",
			validationYTrue.Sparse, validationYTrue.OneHot, " ", epochs, " ", batchSize, " ", o.Name, " ", o.Rho, " ",
			dense1.WeightRegularizerL2, " ", dense1.BiasRegularizerL2, " ", dense2.WeightRegularizerL2, " ",
			dense1.WeightCache, dense2.BiasMomentums))
		if epochs == 3 { // a learner that forgot an epoch of the validation
			return Epochs{Loss: make([]float64, 3), DataLoss: make([]float64, 3), RegularizationLoss: make([]float64, 3),
				Accuracy: make([]float64, 3), LearningRate: make([]float64, 3), ValidationLoss: make([]float64, 2),
				ValidationAccuracy: make([]float64, 3)}, nil
		}
		samples := float64(len(validationInputs))
		perEpoch := func() []float64 {
			values := make([]float64, epochs)
			for i := range values {
				values[i] = samples
			}
			return values
		}
		dense1.Weights[0][0] -= 1
		dense2.Biases = []float64{samples, samples}
		return Epochs{Loss: perEpoch(), DataLoss: perEpoch(), RegularizationLoss: perEpoch(), Accuracy: perEpoch(),
			LearningRate: perEpoch(), ValidationLoss: perEpoch(), ValidationAccuracy: perEpoch()}, nil
	}}}
	// B = 2, M = 3, K = 1, H = 1, C = 2
	model := func(yTrue, validationInputs, validationYTrue, epochs, batchSize, l2 string) string {
		return `{"inputs":[[1],[2]],"y_true":` + yTrue + `,"validation_inputs":` + validationInputs +
			`,"validation_y_true":` + validationYTrue + `,"weights1":[[0.5]],"biases1":[0.25],"weights2":[[1,-1]],` +
			`"biases2":[0,0],"epochs":` + epochs + `,"batch_size":` + batchSize + `,"weight_regularizer_l1":0,` +
			`"weight_regularizer_l2":0.5,"bias_regularizer_l1":0,"bias_regularizer_l2":` + l2 + `,"learning_rate":1,` +
			`"decay":0,"momentum":0,"epsilon":1e-7,"rho":0.75,"beta_1":0.9,"beta_2":0.999}`
	}
	sparse, onehot := `{"label_format":"sparse","optimizer":"rmsprop"}`, `{"label_format":"onehot","optimizer":"rmsprop"}`
	for _, c := range []struct{ inputs, params, want string }{
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0,0]`, `2`, `2`, `0.125`), sparse,
			`{"seq":7,"outputs":{"loss":[3,3],"data_loss":[3,3],"regularization_loss":[3,3],"accuracy":[3,3],` +
				`"learning_rate":[3,3],"validation_loss":[3,3],"validation_accuracy":[3,3],"weights1":[[-0.5]],` +
				`"biases1":[0.25],"weights2":[[1,-1]],"biases2":[3,3]}}`},
		{model(`[[1,0],[0,1]]`, `[[1]]`, `[[0,1]]`, `1`, `5`, `0`), onehot,
			`{"seq":7,"outputs":{"loss":[1],"data_loss":[1],"regularization_loss":[1],"accuracy":[1],` +
				`"learning_rate":[1],"validation_loss":[1],"validation_accuracy":[1],"weights1":[[-0.5]],` +
				`"biases1":[0.25],"weights2":[[1,-1]],"biases2":[1,1]}}`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0,0]`, `3`, `2`, `0`), sparse,
			`"kind":"exception","message":"model_training returned validation_loss of shape [2]; it must have shape [3] ([E] of epochs)"`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0]`, `2`, `2`, `0`), sparse,
			`"kind":"shape_mismatch","message":"validation_y_true has shape [2]: its M is 2, but validation_inputs gives M = 3"`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0,2]`, `2`, `2`, `0`), sparse,
			`"kind":"label_out_of_range","message":"validation_y_true[2] is 2, not in [0, 2)"`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0.5,0]`, `2`, `2`, `0`), sparse, `"kind":"invalid_label"`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[1,0,0]`, `2`, `2`, `0`), onehot, `"kind":"shape_mismatch"`},
		{model(`[[1,0],[0,1]]`, `[[1]]`, `[[1,1]]`, `2`, `2`, `0`), onehot, `"kind":"invalid_label"`},
		{model(`[[1,0],[0,1]]`, `[[1]]`, `[[0,0,1]]`, `2`, `2`, `0`), onehot,
			`"kind":"shape_mismatch","message":"validation_y_true has shape [1, 3]: its C is 3, but weights2 gives C = 2"`},
		{model(`[0,1]`, `[]`, `[]`, `2`, `2`, `0`), sparse, `"kind":"empty_batch","message":"validation_inputs has no samples"`},
		{model(`[0,1]`, `[[1],[2],[3]]`, `[]`, `2`, `2`, `0`), sparse, `"kind":"shape_mismatch"`},
		{model(`[0,1]`, `[[1,2]]`, `[0]`, `2`, `2`, `0`), sparse,
			`"kind":"shape_mismatch","message":"validation_inputs has shape [1, 2]: its K is 2, but inputs gives K = 1"`},
		{model(`[0,1]`, `[[1],[2,3]]`, `[0,1]`, `2`, `2`, `0`), sparse, `"kind":"ragged_rows"`},
		{model(`[0,1]`, `[[1]]`, `[0]`, `0`, `2`, `0`), sparse, `"kind":"invalid_value","message":"epochs is 0, not an integer >= 1"`},
		{model(`[0,1]`, `[[1]]`, `[0]`, `1.5`, `2`, `0`), sparse, `"kind":"invalid_value"`},
		{model(`[0,1]`, `[[1]]`, `[0]`, `1`, `0`, `0`), sparse, `"kind":"invalid_value","message":"batch_size is 0, not an integer >= 1"`},
		{model(`[0,1]`, `[[1]]`, `[0]`, `1`, `2`, `-1`), sparse, `"kind":"invalid_value","message":"bias_regularizer_l2 is -1, not >= 0"`},
	} {
		if reply := ask(t, port, "model_training", c.inputs, c.params); !strings.Contains(reply, c.want) {
			t.Errorf("%s %s: got %s\nwant %s", c.inputs, c.params, reply, c.want)
		}
	}
	want := []string{"2 [0 1] [] 3 [1 0 0] [] 2 2 rmsprop 0.75 0.5 0.125 0 [[0]] [0 0]",
		"2 [] [[1 0] [0 1]] 1 [] [[0 1]] 1 5 rmsprop 0.75 0.5 0 0 [[0]] [0 0]",
		"2 [0 1] [] 3 [1 0 0] [] 3 2 rmsprop 0.75 0.5 0 0 [[0]] [0 0]"}
	if !reflect.DeepEqual(got, want) { // and never with an invalid case
		t.Errorf("the learner got %q;\nwant %q", got, want)
	}
}
