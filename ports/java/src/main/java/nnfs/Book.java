package nnfs;

import java.math.BigDecimal;
import java.math.MathContext;
import org.nnfsconform.kit.Types.Dataset;
import org.nnfsconform.kit.Types.LayerShape;
import org.nnfsconform.kit.Types.RngCall;

/**
 * The book tier, part one (docs/BOOK.md): the random numbers of {@code np.random.seed(0)} and
 * chapter 19's shuffle, the {@code nnfs} package's datasets and Layer_Dense's first weights, bit
 * for bit.
 *
 * <p>The book's float32 comes from {@code nnfs.init()}. Java's {@code float} arithmetic is
 * IEEE single precision, correctly rounded (strict since Java 17), so a float expression here is
 * exactly NumPy's float32 one; a Python scalar is rounded first with {@code (float)}. What the
 * book computes in double (the random stream, linspace, sin and cos) is double here and rounded
 * once where NumPy stores it. {@link Chapters} builds the chapter 3-10 network on this.
 */
public final class Book {
    private Book() {}

    // -----------------------------------------------------------------------------------------
    // np.random.seed(seed): NumPy's legacy MT19937 stream

    /** np.random.RandomState: MT19937, the 53-bit double and the cached polar Gaussian. */
    static final class RandomState {
        private final int[] mt = new int[624];
        private int index = 624;
        private boolean hasGauss;
        private double gauss;

        /**
         * init_genrand, as C++ std::mt19937(seed) (not init_by_array, which Python's random
         * uses). Java's int is the 32-bit word: its multiplication wraps modulo 2^32 as the
         * C code's uint32_t does, and {@code >>>} is the unsigned shift.
         */
        RandomState(long seed) {
            mt[0] = (int) seed;
            for (int i = 1; i < 624; i++) {
                mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
            }
        }

        /** One 32-bit output, as an unsigned value. */
        long u32() {
            if (index >= 624) { // twist: regenerate all 624 words
                for (int i = 0; i < 624; i++) {
                    int y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF);
                    mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908B0DF : 0);
                }
                index = 0;
            }
            int y = mt[index++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9D2C5680;
            y ^= (y << 15) & 0xEFC60000;
            y ^= y >>> 18;
            return Integer.toUnsignedLong(y);
        }

        /** np.random.random_sample(): 53 bits from two outputs, 27 and 26 of them. */
        double random() {
            long a = u32() >>> 5;
            long b = u32() >>> 6;
            return (a * 67108864.0 + b) / 9007199254740992.0;
        }

        /**
         * np.random.randn(): the polar method makes two Gaussians; the second is cached and
         * returned by the next call, whatever was drawn in between (doubles and u32 do not
         * clear it).
         */
        double randn() {
            if (hasGauss) {
                hasGauss = false;
                return gauss;
            }
            double x1;
            double x2;
            double r2;
            do {
                x1 = 2.0 * random() - 1.0;
                x2 = 2.0 * random() - 1.0;
                r2 = x1 * x1 + x2 * x2;
            } while (r2 >= 1.0 || r2 == 0.0);
            // NumPy calls C's log and sqrt, correctly rounded: so are log below and Math.sqrt
            double f = Math.sqrt(-2.0 * log(r2) / r2);
            gauss = f * x1;
            hasGauss = true;
            return f * x2;
        }
    }

    private static final MathContext DIGITS = new MathContext(40);
    private static final BigDecimal LN2 =
            new BigDecimal("0.69314718055994530941723212145817656807550013436025525412068");
    private static final BigDecimal NEGLIGIBLE = new BigDecimal("1e-45");

    /**
     * log(x) correctly rounded, for a normal x > 0: every bit of a Gaussian counts, and Java
     * promises 1 ULP only (StrictMath.log misses on 7 % of the polar method's r2, HotSpot's
     * Math.log on 1 in 100 000, and another JVM may differ). x = m * 2^e with m in
     * [sqrt(1/2), sqrt(2)]: log x = e * ln 2 + 2 atanh((m - 1) / (m + 1)), the series summed
     * in 40 digits and rounded once.
     */
    static double log(double x) {
        int e = Math.getExponent(x);
        double m = Math.scalb(x, -e); // exact: m in [1, 2)
        if (m > Math.sqrt(2)) {
            m /= 2;
            e++;
        }
        BigDecimal bm = new BigDecimal(m); // exact
        BigDecimal s = bm.subtract(BigDecimal.ONE).divide(bm.add(BigDecimal.ONE), DIGITS);
        BigDecimal s2 = s.multiply(s, DIGITS);
        BigDecimal term = s;
        BigDecimal atanh = s;
        for (int k = 3; term.abs().compareTo(NEGLIGIBLE) > 0; k += 2) {
            term = term.multiply(s2, DIGITS);
            atanh = atanh.add(term.divide(BigDecimal.valueOf(k), DIGITS), DIGITS);
        }
        // doubleValue rounds the decimal to the nearest double
        return atanh.add(atanh).add(LN2.multiply(BigDecimal.valueOf(e)), DIGITS).doubleValue();
    }

    /**
     * Stage rng: every draw of the calls, in order; kind 0 a 32-bit output, 1 a double, 2 a
     * Gaussian.
     */
    public static double[] rng(long seed, RngCall[] calls) {
        RandomState state = new RandomState(seed);
        int total = 0;
        for (RngCall call : calls) {
            total += call.count();
        }
        double[] values = new double[total];
        int v = 0;
        for (RngCall call : calls) {
            for (int i = 0; i < call.count(); i++) {
                values[v++] = switch (call.kind()) {
                    case 0 -> state.u32();
                    case 1 -> state.random();
                    default -> state.randn();
                };
            }
        }
        return values;
    }

    /**
     * Stage shuffle: chapter 19's np.random.shuffle(keys) of keys = 0 .. samples - 1, NumPy's
     * legacy Fisher-Yates from the last key down.
     */
    public static int[] shuffle(long seed, int samples) {
        RandomState state = new RandomState(seed);
        int[] keys = new int[samples];
        for (int i = 0; i < samples; i++) {
            keys[i] = i;
        }
        for (int i = samples - 1; i > 0; i--) {
            // NOTE: NumPy draws a 32-bit output masked to i's bits until it is at most i
            long mask = -1L >>> Long.numberOfLeadingZeros(i);
            long j;
            do {
                j = state.u32() & mask;
            } while (j > i);
            int key = keys[i];
            keys[i] = keys[(int) j];
            keys[(int) j] = key;
        }
        return keys;
    }

    // -----------------------------------------------------------------------------------------
    // nnfs.datasets

    /** A dataset as the book holds it: X float32 rows, y the class of each row. */
    record Data(float[][] x, int[] y) {}

    /** np.linspace: i * step + start, and the last element exactly stop. */
    static double[] linspace(double start, double stop, int num) {
        double step = num > 1 ? (stop - start) / (num - 1) : 0.0;
        double[] values = new double[num];
        for (int i = 0; i < num; i++) {
            values[i] = i * step + start;
        }
        if (num > 1) {
            values[num - 1] = stop;
        }
        return values;
    }

    /** spiral_data(samples, classes): three arms, noise on the angle. */
    static Data spiralData(RandomState state, int samples, int classes) {
        float[][] x = new float[samples * classes][];
        int[] y = new int[samples * classes];
        for (int classNumber = 0; classNumber < classes; classNumber++) {
            double[] r = linspace(0.0, 1.0, samples);
            // NOTE: randn is rounded to float32, then multiplied by float32(0.2) in float32
            float[] noise = new float[samples];
            for (int i = 0; i < samples; i++) {
                noise[i] = (float) state.randn() * 0.2f;
            }
            double[] t = linspace(classNumber * 4, (classNumber + 1) * 4, samples);
            for (int i = 0; i < samples; i++) {
                // NOTE: t, sin, cos and the products are double; X stores them as float32
                double ti = t[i] + noise[i];
                int row = classNumber * samples + i;
                x[row] = new float[] {(float) (r[i] * Math.sin(ti * 2.5)),
                    (float) (r[i] * Math.cos(ti * 2.5))};
                y[row] = classNumber;
            }
        }
        return new Data(x, y);
    }

    /** vertical_data(samples, classes): a column of points per class, all in float32. */
    static Data verticalData(RandomState state, int samples, int classes) {
        float[][] x = new float[samples * classes][2];
        int[] y = new int[samples * classes];
        for (int classNumber = 0; classNumber < classes; classNumber++) {
            float center = (float) (classNumber / 3.0);
            int first = classNumber * samples;
            for (int i = 0; i < samples; i++) { // every x of the class, then every y
                x[first + i][0] = (float) state.randn() * 0.1f + center;
            }
            for (int i = 0; i < samples; i++) {
                x[first + i][1] = (float) state.randn() * 0.1f + 0.5f;
                y[first + i] = classNumber;
            }
        }
        return new Data(x, y);
    }

    /** sine_data(samples): float64, no random numbers (np.arange is not patched by nnfs). */
    static Dataset sineData(int samples) {
        double[][] x = new double[samples][];
        double[] y = new double[samples];
        for (int i = 0; i < samples; i++) {
            x[i] = new double[] {(double) i / samples};
            y[i] = Math.sin(2 * Math.PI * x[i][0]);
        }
        return new Dataset(x, y);
    }

    /** Stage datasets: "spiral" or "vertical" after np.random.seed(seed), or "sine". */
    public static Dataset datasets(long seed, int samples, int classes, String dataset) {
        if (dataset.equals("sine")) {
            return sineData(samples);
        }
        RandomState state = new RandomState(seed);
        Data data = dataset.equals("spiral") ? spiralData(state, samples, classes)
                : verticalData(state, samples, classes);
        double[][] x = new double[data.x().length][];
        double[] y = new double[data.y().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {data.x()[i][0], data.x()[i][1]};
            y[i] = data.y()[i];
        }
        return new Dataset(x, y);
    }

    // -----------------------------------------------------------------------------------------
    // Layer_Dense's initial weights

    /** 0.01 * np.random.randn(nInputs, nNeurons): float32(scale) times float32(randn). */
    static float[][] layerWeights(RandomState state, int nInputs, int nNeurons, double scale) {
        float[][] weights = new float[nInputs][nNeurons];
        for (float[] row : weights) {
            for (int n = 0; n < nNeurons; n++) {
                row[n] = (float) scale * (float) state.randn();
            }
        }
        return weights;
    }

    /** Stage init: skip Gaussians (a dataset's), then each layer's weights, row-major. */
    public static double[] init(long seed, int skip, LayerShape[] shapes, double scale) {
        RandomState state = new RandomState(seed);
        for (int i = 0; i < skip; i++) {
            state.randn();
        }
        int total = 0;
        for (LayerShape shape : shapes) {
            total += shape.nInputs() * shape.nNeurons();
        }
        double[] weights = new double[total];
        int w = 0;
        for (LayerShape shape : shapes) {
            for (float[] row : layerWeights(state, shape.nInputs(), shape.nNeurons(), scale)) {
                for (float weight : row) {
                    weights[w++] = weight;
                }
            }
        }
        return weights;
    }
}
