package main

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// np.random.seed(0): the book's first outputs and Gaussians (docs/BOOK.md, section 1).
func TestSeedZeroStartsAsNumPy(t *testing.T) {
	s := NewRandomState(0)
	for _, want := range []uint32{2357136044, 2546248239, 3071714933} {
		if got := s.Uint32(); got != want {
			t.Fatalf("Uint32() = %d; want %d", got, want)
		}
	}
	s = NewRandomState(0)
	for _, want := range []float64{1.764052345967664, 0.4001572083672233, 0.9787379841057392} {
		if got := s.Randn(); got != want {
			t.Fatalf("Randn() = %v; want %v", got, want)
		}
	}
}

// The cached Gaussian outlives a call: randn(3) then randn(2) is randn(5), doubles between.
func TestCachedGaussianSurvivesDoubles(t *testing.T) {
	a, b := NewRandomState(7), NewRandomState(7)
	a.Randn()
	b.Randn()
	b.Double()
	if x, y := a.Randn(), b.Randn(); x != y {
		t.Errorf("the cached Gaussian is %v after a double, %v without", y, x)
	}
}

// logCorrectlyRounded is never more than one ULP from math.Log (itself within one ULP of the
// true log), and exact where the log is known.
func TestLogCorrectlyRounded(t *testing.T) {
	random := rand.New(rand.NewSource(1))
	for range 2000 {
		x := random.Float64()
		if x == 0 {
			continue
		}
		got, near := logCorrectlyRounded(x), math.Log(x)
		if math.Abs(got-near) > math.Abs(math.Nextafter(near, 0)-near) {
			t.Fatalf("log(%v) = %v, more than one ULP from math.Log's %v", x, got, near)
		}
	}
	if got := logCorrectlyRounded(1); got != 0 {
		t.Errorf("log(1) = %v; want 0", got)
	}
	if got, want := logCorrectlyRounded(0.25), -2*math.Ln2; got != want {
		t.Errorf("log(0.25) = %v; want -2 ln 2 = %v", got, want)
	}
}

// sin(π) is π minus its double, the part of π past piHigh: where math.Sin is 7 ULPs off.
func TestSinNearPi(t *testing.T) {
	if piHigh != math.Pi {
		t.Fatalf("piHigh = %v; want math.Pi", piHigh)
	}
	if got := sin(math.Pi); got != piLow {
		t.Errorf("sin(π) = %v; want %v", got, piLow)
	}
	if got := sin(2 * math.Pi); got != -2*piLow {
		t.Errorf("sin(2π) = %v; want %v", got, -2*piLow)
	}
}

// NumPy's pairwise sum: up to 128 values in 8 interleaved float32 sums, so 16 values of
// 2^23 and 8 of 1 keep every 1, which a running sum past 2^26 loses.
func TestPairwiseSumInterleaves(t *testing.T) {
	values := make([]float32, 16)
	for i := range values {
		values[i] = 1
		if i < 8 {
			values[i] = 1 << 23
		}
	}
	var running float32
	for _, v := range values {
		running += v
	}
	if got := pairwiseSum(values); got != 1<<26+8 || running == got {
		t.Errorf("pairwiseSum = %v (running sum %v); want %v", got, running, 1<<26+8)
	}
}

// The first maximum wins a tie, so the book's chapter 5 prints acc: 0.34, not 0.3333333.
func TestArgmaxFirstMaximumWins(t *testing.T) {
	if got := argmax([]float32{0.25, 0.5, 0.5}); got != 1 {
		t.Errorf("argmax = %d; want 1", got)
	}
}

// np.random.seed(0); keys = np.arange(10); np.random.shuffle(keys), as NumPy prints it.
func TestShuffleAsNumPy(t *testing.T) {
	keys, err := Shuffle(0, 10)
	if want := []int{2, 8, 4, 9, 1, 6, 7, 3, 0, 5}; err != nil || !slices.Equal(keys, want) {
		t.Errorf("Shuffle(0, 10) = %v, %v; want %v", keys, err, want)
	}
}
