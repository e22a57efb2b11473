// log(x) correctly rounded to the nearest double, for the book's Gaussians.
//
// NumPy's polar Gaussian returns sqrt(-2 log(r2) / r2) * x2 as a double, so its last bit depends
// on log's. The suite takes log correctly rounded (glibc's log is, but for rare cases); V8's
// Math.log is fdlibm's, within one ULP but a different double for about 7 % of inputs. So log
// is computed here in double-double (about 104 bits) and rounded once.

// ---------------------------------------------------------------------------------------------
// Double-double arithmetic: a number is [hi, lo] with hi = the double nearest to hi + lo.

// a + b exactly, as [sum, error] (Knuth's two-sum)
function twoSum(a, b) {
  const s = a + b;
  const bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}

// a * b exactly, as [product, error]: JavaScript has no fma, so Dekker's split into halves
function split(a) {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProduct(a, b) {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

function add([ahi, alo], [bhi, blo]) {
  const [s, e] = twoSum(ahi, bhi);
  return twoSum(s, e + alo + blo);
}

function mul([ahi, alo], [bhi, blo]) {
  const [p, e] = twoProduct(ahi, bhi);
  return twoSum(p, e + ahi * blo + alo * bhi);
}

function div(a, b) {
  // one double quotient, then the remainder's correction: q + (a - q*b) / b
  const q = a[0] / b[0];
  const rest = add(a, mul([-q, 0], b));
  return twoSum(q, rest[0] / b[0]);
}

// ---------------------------------------------------------------------------------------------
// log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1), for m in
// [sqrt(1/2), sqrt(2)): |s| < 0.172, so 22 terms reach 2^-110.

const TERMS = 22;
const ODD_RECIPROCALS = Array.from({ length: TERMS }, (_, k) => div([1, 0], [2 * k + 1, 0]));
const LN2 = [0.6931471805599453, 2.3190468138462996e-17];

const bits = new DataView(new ArrayBuffer(8));

/** The double nearest to ln(x), for a positive normal double x. */
export function log(x) {
  // x = m * 2^e, m in [sqrt(1/2), sqrt(2)): the exponent read from the bits, then exact scaling
  bits.setFloat64(0, x);
  let e = ((bits.getUint32(0) >>> 20) & 0x7ff) - 1023;
  let m = x * 2 ** -e;
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  const s = div([m - 1, 0], twoSum(m, 1)); // m - 1 is exact (Sterbenz)
  const s2 = mul(s, s);
  let series = ODD_RECIPROCALS[TERMS - 1];
  for (let k = TERMS - 2; k >= 0; k--) series = add(mul(series, s2), ODD_RECIPROCALS[k]);
  const logM = mul([2 * s[0], 2 * s[1]], series);
  const [hi, lo] = add(mul([e, 0], LN2), logM);
  return hi + lo; // rounded once: hi is already the nearest double to hi + lo
}
