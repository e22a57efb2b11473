package kit

import (
	"math"
	"strconv"
)

// Reading is encoding/json's (strconv.ParseFloat: every number to the nearest double). Writing
// numbers is done here, with the digits json.Marshal would write (strconv's shortest
// round-trip form), because json.Marshal refuses NaN and the infinities, which the protocol
// writes as strings, and writes a nil slice as null.

// nonFinite are the strings that stand for NaN and the infinities, as JSON has none.
var nonFinite = map[string]float64{"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1)}

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

// appendFloat writes f as json.Marshal does ('f' for 1e-6 <= |f| < 1e21, else 'e' with a
// one-digit exponent where it has one), or as the protocol's string when f is not finite.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // 1e-07 -> 1e-7
		b = b[:n-1]
	}
	return b
}

// appendValue writes one output: a number, an integer, or nested lists of them.
func appendValue(b []byte, value any) []byte {
	switch v := value.(type) {
	case float64:
		return appendFloat(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case []float64:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, x)
		}
		return append(b, ']')
	case []int:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(x), 10)
		}
		return append(b, ']')
	case [][]int:
		b = append(b, '[')
		for i, row := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, row)
		}
		return append(b, ']')
	case [][]float64:
		b = append(b, '[')
		for i, row := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, row)
		}
		return append(b, ']')
	case [][][]float64:
		b = append(b, '[')
		for i, matrix := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, matrix)
		}
		return append(b, ']')
	}
	panic("kit: cannot write an output of type " + strconv.Quote(typeName(value)))
}
