// The book tier (docs/BOOK.md): what the book's scripts print after nnfs.init(), digit for
// digit. NumPy's legacy random stream, the nnfs package's datasets, Layer_Dense's initial
// weights, chapter 19's shuffle, and the chapter 3-10 script in the book's float32 arithmetic.
//
// The book's float32 rules, in Go:
//   - parameters and activations are float32, and every operation on them is a float32 one
//     (Go rounds each float32 + - * / to float32, as NumPy does);
//   - a Python scalar is rounded to float32 first: float32(o.Momentum) * m;
//   - np.dot is the nnfs package's: products summed in float64, rounded once (dot);
//   - exp, log and sqrt are done in float64 and rounded once to float32;
//   - Go may fuse x*y + z into one multiply-add (its spec allows it; arm64 does), which rounds
//     once where the book rounds twice: an explicit float32(x*y) or float64(x*y) rounds the
//     product and forbids the fusion, so every product that is then added is written so.

package main

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"nnfsconform/kit"
)

// ---------------------------------------------------------------------------------------------
// np.random.seed(seed): NumPy's legacy MT19937 stream

// RandomState is np.random's legacy generator: MT19937, and the polar Gaussian's cached value.
type RandomState struct {
	mt       [624]uint32
	index    int
	hasGauss bool
	gauss    float64
}

// NewRandomState is np.random.seed(seed): MT19937 seeded by init_genrand, as C++'s
// std::mt19937(seed), not by init_by_array, as Python's random.seed.
func NewRandomState(seed uint32) *RandomState {
	s := &RandomState{index: 624}
	s.mt[0] = seed
	for i := 1; i < 624; i++ {
		prev := s.mt[i-1]
		s.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return s
}

// Uint32 is the next 32-bit output.
func (s *RandomState) Uint32() uint32 {
	if s.index >= 624 { // twist: regenerate all 624 words
		for i := range s.mt {
			y := (s.mt[i] & 0x80000000) | (s.mt[(i+1)%624] & 0x7fffffff)
			s.mt[i] = s.mt[(i+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				s.mt[i] ^= 0x9908b0df
			}
		}
		s.index = 0
	}
	y := s.mt[s.index]
	s.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Double is random_sample: 53 bits from two outputs, 27 of the first and 26 of the second.
func (s *RandomState) Double() float64 {
	a := s.Uint32() >> 5
	b := s.Uint32() >> 6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// Randn is one np.random.randn value: the polar method makes two Gaussians and keeps the
// second for the next call, whatever is drawn in between (doubles and outputs keep it).
func (s *RandomState) Randn() float64 {
	if s.hasGauss {
		s.hasGauss = false
		return s.gauss
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*s.Double() - 1
		x2 = 2*s.Double() - 1
		r2 = float64(x1*x1) + float64(x2*x2) // each square rounded, as NumPy's C
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * logCorrectlyRounded(r2) / r2)
	s.gauss, s.hasGauss = f*x1, true
	return f * x2
}

// logCorrectlyRounded is log(x) for x > 0, correctly rounded, as glibc's log nearly always
// is and as the suite's goldens are. Go's math.Log is within 1 ULP, but its last bit differs
// from glibc's for about 7 % of inputs, and that bit is in the Gaussian NumPy returns.
// log(m·2^e) = e·ln 2 + 2·atanh((m-1)/(m+1)), summed with 128-bit big.Floats.
func logCorrectlyRounded(x float64) float64 {
	m, e := math.Frexp(x) // x = m·2^e, m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1 // m in [0.71, 1.41): the series below converges fast
	}
	ratio, denominator := bigFloat(m-1), bigFloat(m) // m - 1 is exact: m is near 1
	ratio.Quo(ratio, denominator.Add(denominator, bigFloat(1)))
	log := bigFloat(float64(e))
	log.Mul(log, ln2).Add(log, bigFloat(2).Mul(bigFloat(2), atanSeries(ratio, true)))
	result, _ := log.Float64() // to the nearest double, ties to even
	return result
}

const precision = 128 // bits: far past the 53 of a double, so rounding once is correct

func bigFloat(x float64) *big.Float { return new(big.Float).SetPrec(precision).SetFloat64(x) }

func bigRatio(p, q float64) *big.Float { return bigFloat(p).Quo(bigFloat(p), bigFloat(q)) }

// ln2 is 2·atanh(1/3); pi is 16·atan(1/5) - 4·atan(1/239) (Machin), to 128 bits.
var (
	ln2 = bigFloat(0).Mul(bigFloat(2), atanSeries(bigRatio(1, 3), true))
	pi  = bigFloat(0).Sub(bigFloat(0).Mul(bigFloat(16), atanSeries(bigRatio(1, 5), false)),
		bigFloat(0).Mul(bigFloat(4), atanSeries(bigRatio(1, 239), false)))
)

// atanSeries is atan(s) = s - s³/3 + s⁵/5 - ..., or with hyperbolic atanh(s) = s + s³/3 +
// s⁵/5 + ..., for |s| <= 1/3.
func atanSeries(s *big.Float, hyperbolic bool) *big.Float {
	square := bigFloat(0).Mul(s, s)
	if !hyperbolic {
		square.Neg(square)
	}
	power, sum, term := bigFloat(0).Set(s), bigFloat(0).Set(s), bigFloat(0)
	for k := 3.0; power.Sign() != 0; k += 2 {
		power.Mul(power, square)
		term.Quo(power, bigFloat(k))
		if term.MantExp(nil) < sum.MantExp(nil)-precision {
			break // the rest is below the last bit kept
		}
		sum.Add(sum, term)
	}
	return sum
}

// Rng is the rng stage: every draw of the calls, in order, from np.random.seed(seed).
func Rng(seed uint32, calls []kit.RngCall) ([]float64, error) {
	s := NewRandomState(seed)
	values := []float64{}
	for _, call := range calls {
		for range call.Count {
			switch call.Kind {
			case kit.DrawUint32:
				values = append(values, float64(s.Uint32()))
			case kit.DrawDouble:
				values = append(values, s.Double())
			default:
				values = append(values, s.Randn())
			}
		}
	}
	return values, nil
}

// ---------------------------------------------------------------------------------------------
// nnfs.datasets

// linspace is np.linspace(start, stop, num): i·step + start, and the last element exactly stop.
func linspace(start, stop float64, num int) []float64 {
	step := 0.0
	if num > 1 {
		step = (stop - start) / float64(num-1)
	}
	values := make([]float64, num)
	for i := range values {
		values[i] = float64(float64(i)*step) + start // rounded product: no fused multiply-add
	}
	if num > 1 {
		values[num-1] = stop
	}
	return values
}

// spiralData is nnfs.datasets.spiral_data: per class, radii from 0 to 1 and angles from 4c to
// 4c + 4 with Gaussian noise; column 0 is the sine.
func spiralData(s *RandomState, samples, classes int) (X [][]float32, y []int) {
	for class := range classes {
		r := linspace(0, 1, samples)
		t := linspace(float64(class*4), float64((class+1)*4), samples)
		for i := range t {
			// NOTE: the noise is a float32 Gaussian times float32(0.2), in float32
			t[i] += float64(float32(s.Randn()) * float32(0.2))
		}
		for i := range t {
			// NOTE: t, sin, cos and the products are float64; X keeps them as float32
			X = append(X, []float32{float32(r[i] * math.Sin(t[i]*2.5)),
				float32(r[i] * math.Cos(t[i]*2.5))})
			y = append(y, class)
		}
	}
	return X, y
}

// verticalData is nnfs.datasets.vertical_data: per class, first every x, then every y, each
// randn·0.1 plus the class's shift (class/3 for x, 0.5 for y), in float32.
func verticalData(s *RandomState, samples, classes int) (X [][]float32, y []int) {
	for class := range classes {
		shift := float32(float64(class) / 3) // the Python quotient, then float32
		xs := make([]float32, samples)
		for i := range xs {
			xs[i] = float32(float32(s.Randn())*0.1) + shift
		}
		for _, x := range xs {
			X = append(X, []float32{x, float32(float32(s.Randn())*0.1) + 0.5})
			y = append(y, class)
		}
	}
	return X, y
}

// sineData is nnfs.datasets.sine_data: X = i/samples and y = sin(2πX), in float64 (np.arange
// is not float32 after nnfs.init()), no random numbers.
func sineData(samples int) (X, y [][]float64) {
	for i := range samples {
		x := float64(i) / float64(samples)
		X = append(X, []float64{x})
		y = append(y, []float64{sin(2 * math.Pi * x)})
	}
	return X, y
}

// sin is math.Sin after taking off the nearest multiple of π, held in two doubles: math.Sin's
// own reduction keeps too few bits of π, so near π, where sin is tiny, it is 7 ULPs off the
// true sine, and sine_data allows 4.
func sin(x float64) float64 {
	k := math.Round(x / math.Pi)
	r := (x - k*piHigh) - k*piLow // x - k·piHigh is exact for x in [0, 2π], sine_data's
	if math.Mod(k, 2) != 0 {
		return -math.Sin(r)
	}
	return math.Sin(r)
}

// piHigh + piLow is π to about 107 bits.
var piHigh, piLow = split(pi)

func split(x *big.Float) (high, low float64) {
	high, _ = x.Float64()
	low, _ = bigFloat(0).Sub(x, bigFloat(high)).Float64()
	return high, low
}

// Datasets is the datasets stage: one of the three after np.random.seed(seed).
func Datasets(dataset string, seed uint32, samples, classes int) (kit.Dataset, error) {
	if dataset == "sine" {
		X, y := sineData(samples)
		return kit.Dataset{X: X, Targets: y}, nil
	}
	data := spiralData
	if dataset == "vertical" {
		data = verticalData
	}
	X, y := data(NewRandomState(seed), samples, classes)
	return kit.Dataset{X: widen(X), Y: y}, nil
}

// ---------------------------------------------------------------------------------------------
// Layer_Dense's initial weights

// layerWeights is Layer_Dense's scale * np.random.randn(n_inputs, n_neurons), row by row:
// NOTE: float32(scale) times the float32 Gaussian, a float32 product.
func layerWeights(s *RandomState, nInputs, nNeurons int, scale float32) [][]float32 {
	weights := make([][]float32, nInputs)
	for i := range weights {
		weights[i] = make([]float32, nNeurons)
		for j := range weights[i] {
			weights[i][j] = scale * float32(s.Randn())
		}
	}
	return weights
}

// Init is the init stage: the weights of layers made one after another, after skip Gaussians
// (the dataset's), each layer's rows one after another.
func Init(seed uint32, skip int, shapes []kit.LayerShape, scale float64) ([]float64, error) {
	s := NewRandomState(seed)
	for range skip {
		s.Randn()
	}
	weights := []float64{}
	for _, shape := range shapes {
		for _, row := range widen(layerWeights(s, shape.NInputs, shape.NNeurons, float32(scale))) {
			weights = append(weights, row...)
		}
	}
	return weights, nil
}

// ---------------------------------------------------------------------------------------------
// np.random.shuffle (chapter 19)

// Shuffle is the shuffle stage: chapter 19's keys = np.array(range(samples)) and
// np.random.shuffle(keys), after np.random.seed(seed).
func Shuffle(seed uint32, samples int) ([]int, error) {
	s := NewRandomState(seed)
	keys := make([]int, samples)
	for i := range keys {
		keys[i] = i
	}
	// NOTE: NumPy's legacy Fisher-Yates goes from the last key down; each swap partner is a
	// 32-bit output masked to the bits of i, drawn again while it is above i (no modulo)
	for i := samples - 1; i > 0; i-- {
		mask := uint32(1<<bits.Len(uint(i)) - 1)
		j := s.Uint32() & mask
		for j > uint32(i) {
			j = s.Uint32() & mask
		}
		keys[i], keys[j] = keys[j], keys[i]
	}
	return keys, nil
}

// ---------------------------------------------------------------------------------------------
// The book's classes, in float32, for the chapter 3-10 script

// dot is np.dot after nnfs.init(): (B, K) by (K, N), each sum in float64, rounded once to
// float32. The float32 products are exact in float64, so a fused multiply-add changes nothing.
func dot(a, b [][]float32) [][]float32 {
	out := make([][]float32, len(a))
	for i, row := range a {
		out[i] = make([]float32, len(b[0]))
		for j := range out[i] {
			total := 0.0
			for k, x := range row {
				total += float64(x) * float64(b[k][j])
			}
			out[i][j] = float32(total)
		}
	}
	return out
}

func transpose(m [][]float32) [][]float32 {
	t := make([][]float32, len(m[0]))
	for j := range t {
		t[j] = make([]float32, len(m))
		for i, row := range m {
			t[j][i] = row[j]
		}
	}
	return t
}

// pairwiseSum is NumPy's float32 sum of a vector (np.sum, np.mean): fewer than 8 values one
// after another, up to 128 in 8 interleaved sums added in pairs, more in two halves (the
// first a multiple of 8).
func pairwiseSum(values []float32) float32 {
	n := len(values)
	switch {
	case n < 8:
		var total float32
		for _, v := range values {
			total += v
		}
		return total
	case n <= 128:
		var r [8]float32
		copy(r[:], values)
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += values[i+j]
			}
		}
		total := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for _, v := range values[i:] {
			total += v
		}
		return total
	}
	half := n / 2
	half -= half % 8
	return pairwiseSum(values[:half]) + pairwiseSum(values[half:])
}

// LayerDense is the book's Layer_Dense: weights (n_inputs, n_neurons), biases, what forward
// and backward keep, and the optimizers' state (zeros until an optimizer writes it).
type LayerDense struct {
	Weights                      [][]float32
	Biases                       []float32
	Inputs, Output               [][]float32
	Dweights, Dinputs            [][]float32
	Dbiases                      []float32
	WeightMomentums, WeightCache [][]float32
	BiasMomentums, BiasCache     []float32
}

// NewLayerDense is Layer_Dense(n_inputs, n_neurons): weights 0.01·randn, biases zeros.
func NewLayerDense(s *RandomState, nInputs, nNeurons int) *LayerDense {
	return &LayerDense{Weights: layerWeights(s, nInputs, nNeurons, 0.01),
		Biases:          make([]float32, nNeurons),
		WeightMomentums: zeros32(nInputs, nNeurons), WeightCache: zeros32(nInputs, nNeurons),
		BiasMomentums: make([]float32, nNeurons), BiasCache: make([]float32, nNeurons)}
}

// Forward is inputs @ weights + biases, the product by np.dot.
func (l *LayerDense) Forward(inputs [][]float32) {
	l.Inputs = inputs
	l.Output = dot(inputs, l.Weights)
	for _, row := range l.Output {
		for n := range row {
			row[n] += l.Biases[n]
		}
	}
}

// Backward is dweights = inputs.T @ dvalues, dbiases = np.sum(dvalues, axis=0), dinputs =
// dvalues @ weights.T.
func (l *LayerDense) Backward(dvalues [][]float32) {
	l.Dweights = dot(transpose(l.Inputs), dvalues)
	l.Dbiases = make([]float32, len(l.Biases))
	for _, row := range dvalues { // NOTE: np.sum(axis=0) adds row after row, in float32
		for n, d := range row {
			l.Dbiases[n] += d
		}
	}
	l.Dinputs = dot(dvalues, transpose(l.Weights))
}

// ActivationReLU is the book's Activation_ReLU.
type ActivationReLU struct{ Inputs, Output, Dinputs [][]float32 }

func (a *ActivationReLU) Forward(inputs [][]float32) {
	a.Inputs = inputs
	a.Output = make([][]float32, len(inputs))
	for b, row := range inputs {
		a.Output[b] = make([]float32, len(row))
		for i, x := range row {
			a.Output[b][i] = max(0, x)
		}
	}
}

// Backward passes dvalues where the input was positive: 0 at an input of 0.
func (a *ActivationReLU) Backward(dvalues [][]float32) {
	a.Dinputs = make([][]float32, len(dvalues))
	for b, row := range dvalues {
		a.Dinputs[b] = make([]float32, len(row))
		for i, d := range row {
			if a.Inputs[b][i] > 0 {
				a.Dinputs[b][i] = d
			}
		}
	}
}

// ActivationSoftmaxLossCategoricalCrossentropy is the book's softmax and cross-entropy in
// one, with its fast backward pass.
type ActivationSoftmaxLossCategoricalCrossentropy struct{ Output, Dinputs [][]float32 }

// Forward is the softmax of each row, and the mean of -log(the clipped correct confidence).
func (a *ActivationSoftmaxLossCategoricalCrossentropy) Forward(inputs [][]float32, y []int) float32 {
	a.Output = make([][]float32, len(inputs))
	losses := make([]float32, len(inputs))
	for b, row := range inputs {
		largest := row[0]
		for _, x := range row {
			largest = max(largest, x)
		}
		a.Output[b] = make([]float32, len(row))
		var total float32
		for c, x := range row {
			a.Output[b][c] = float32(math.Exp(float64(x - largest))) // expf: exp in double, rounded
			total += a.Output[b][c]
		}
		for c := range row {
			a.Output[b][c] /= total
		}
		// NOTE: the clip bounds are the Python floats 1e-7 and 1 - 1e-7 rounded to float32
		confidence := min(max(a.Output[b][y[b]], float32(clipLow)), float32(clipHigh))
		losses[b] = -float32(math.Log(float64(confidence))) // logf: log in double, rounded
	}
	return pairwiseSum(losses) / float32(len(losses)) // np.mean: pairwise, then one division
}

// Backward is (softmax - one-hot y) / samples.
func (a *ActivationSoftmaxLossCategoricalCrossentropy) Backward(dvalues [][]float32, y []int) {
	samples := float32(len(dvalues))
	a.Dinputs = make([][]float32, len(dvalues))
	for b, row := range dvalues {
		a.Dinputs[b] = make([]float32, len(row))
		for c, d := range row {
			if c == y[b] {
				d -= 1
			}
			a.Dinputs[b][c] = d / samples
		}
	}
}

// Optimizer is the book's optimizer object (the kit's, with the case's hyperparameters and
// the book's defaults); PreUpdateParams and PostUpdateParams are training.go's, in float64 as
// the book's Python floats.
type Optimizer struct{ *kit.Optimizer }

func (o Optimizer) PreUpdateParams()  { preUpdateParams(o.Optimizer) }
func (o Optimizer) PostUpdateParams() { postUpdateParams(o.Optimizer) }

// UpdateParams is update_params of Optimizer_SGD, _Adagrad, _RMSprop or _Adam (o.Name).
func (o Optimizer) UpdateParams(layer *LayerDense) {
	o.update(layer.Weights, layer.Dweights, layer.WeightMomentums, layer.WeightCache)
	o.update([][]float32{layer.Biases}, [][]float32{layer.Dbiases},
		[][]float32{layer.BiasMomentums}, [][]float32{layer.BiasCache})
}

// update is one step of every parameter p with its gradient g and state, in float32: every
// Python scalar, the rate, momentum, rho, the betas and 1 - each (taken in double), is
// rounded to float32 first; the bias corrections 1 - beta^t are double, then float32.
func (o Optimizer) update(params, grads, momentums, cache [][]float32) {
	lr, epsilon := float32(o.CurrentLearningRate), float32(o.Epsilon)
	t := float64(o.Iterations + 1)
	for i, row := range params {
		for j, p := range row {
			g, m, c := grads[i][j], &momentums[i][j], &cache[i][j]
			var step float32
			switch {
			case o.Name == "sgd" && o.Momentum != 0:
				*m = float32(float32(o.Momentum)**m) - float32(lr*g)
				step = *m
			case o.Name == "sgd":
				step = -lr * g
			case o.Name == "adagrad":
				*c += float32(g * g)
				step = float32(-lr*g) / (sqrt32(*c) + epsilon)
			case o.Name == "rmsprop":
				*c = float32(float32(o.Rho)**c) + float32(float32(1-o.Rho)*float32(g*g))
				step = float32(-lr*g) / (sqrt32(*c) + epsilon)
			default: // adam
				*m = float32(float32(o.Beta1)**m) + float32(float32(1-o.Beta1)*g)
				*c = float32(float32(o.Beta2)**c) + float32(float32(1-o.Beta2)*float32(g*g))
				mHat := *m / float32(1-math.Pow(o.Beta1, t))
				cHat := *c / float32(1-math.Pow(o.Beta2, t))
				step = float32(-lr*mHat) / (sqrt32(cHat) + epsilon)
			}
			row[j] = p + step
		}
	}
}

// Chapters is the chapters stage: the book's chapter 3-10 script on spiral_data(samples,
// classes) after np.random.seed(seed), Dense(2, hidden), ReLU, Dense(hidden, classes), softmax
// with cross-entropy, steps optimizer steps, then one more forward and backward pass; it
// returns what printed names.
func Chapters(seed uint32, samples, classes, hidden, steps int, printed string, o *kit.Optimizer) (any, error) {
	optimizer := Optimizer{o}
	if printed == "learning_rate" { // the epoch lines' lr: no data, no training
		for range steps {
			optimizer.PreUpdateParams()
			optimizer.PostUpdateParams()
		}
		return o.CurrentLearningRate, nil
	}
	s := NewRandomState(seed)
	X, y := spiralData(s, samples, classes)
	dense1 := NewLayerDense(s, 2, hidden)
	activation1 := &ActivationReLU{}
	dense2 := NewLayerDense(s, hidden, classes)
	lossActivation := &ActivationSoftmaxLossCategoricalCrossentropy{}
	var loss float32
	for step := 0; step <= steps; step++ {
		dense1.Forward(X)
		activation1.Forward(dense1.Output)
		dense2.Forward(activation1.Output)
		loss = lossActivation.Forward(dense2.Output, y)

		lossActivation.Backward(lossActivation.Output, y)
		dense2.Backward(lossActivation.Dinputs)
		activation1.Backward(dense2.Dinputs)
		dense1.Backward(activation1.Dinputs)
		if step < steps {
			optimizer.PreUpdateParams()
			optimizer.UpdateParams(dense1)
			optimizer.UpdateParams(dense2)
			optimizer.PostUpdateParams()
		}
	}
	first5 := min(5, len(X))
	switch printed {
	case "dense1_output":
		return widen(dense1.Output[:first5]), nil
	case "softmax_output":
		return widen(lossActivation.Output[:first5]), nil
	case "loss":
		return float64(loss), nil
	case "accuracy":
		hits := 0
		for b, row := range lossActivation.Output {
			if argmax(row) == y[b] {
				hits++
			}
		}
		return float64(hits) / float64(len(y)), nil // np.mean of booleans: float64
	case "dweights1":
		return widen(dense1.Dweights), nil
	case "dbiases1":
		return widen([][]float32{dense1.Dbiases}), nil
	case "dweights2":
		return widen(dense2.Dweights), nil
	case "dbiases2":
		return widen([][]float32{dense2.Dbiases}), nil
	case "weights1":
		return widen(dense1.Weights), nil
	case "biases1":
		return widen([][]float32{dense1.Biases}), nil
	case "weights2":
		return widen(dense2.Weights), nil
	case "biases2":
		return widen([][]float32{dense2.Biases}), nil
	}
	return nil, fmt.Errorf("the script prints no %q", printed)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// sqrt32 is np.sqrt of a float32: in float64, rounded once, which is the float32 root.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func zeros32(rows, columns int) [][]float32 {
	matrix := make([][]float32, rows)
	for i := range matrix {
		matrix[i] = make([]float32, columns)
	}
	return matrix
}

// widen is a float32 matrix as the kit's float64s, every value exactly.
func widen(m [][]float32) [][]float64 {
	out := make([][]float64, len(m))
	for i, row := range m {
		out[i] = make([]float64, len(row))
		for j, x := range row {
			out[i][j] = float64(x)
		}
	}
	return out
}
