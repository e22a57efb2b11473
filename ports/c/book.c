/* The book tier: what nnfs.init() and the nnfs package's datasets compute, in C11 float. */
#include "book.h"

#include <math.h>
#include <stdlib.h>

void random_seed(RandomState *state, uint32_t seed) {
    /* init_genrand, as C++ std::mt19937(seed) */
    state->mt[0] = seed;
    for (uint32_t i = 1; i < 624; i++) {
        uint32_t prev = state->mt[i - 1];
        state->mt[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    state->index = 624;
    state->has_gauss = 0;
    state->gauss = 0.0;
}

uint32_t random_u32(RandomState *state) {
    if (state->index >= 624) {
        uint32_t *mt = state->mt;
        for (int i = 0; i < 624; i++) {
            uint32_t y = (mt[i] & 0x80000000u) | (mt[(i + 1) % 624] & 0x7fffffffu);
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        state->index = 0;
    }
    uint32_t y = state->mt[state->index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double random_double(RandomState *state) {
    uint32_t a = random_u32(state) >> 5, b = random_u32(state) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double random_gauss(RandomState *state) {
    /* NOTE: the polar method makes two values; the second waits for the next call */
    if (state->has_gauss) {
        state->has_gauss = 0;
        return state->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * random_double(state) - 1.0;
        x2 = 2.0 * random_double(state) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    state->gauss = f * x1;
    state->has_gauss = 1;
    return f * x2;
}

void random_shuffle(RandomState *state, size_t *keys, size_t count) {
    /* np.random.shuffle: NumPy's legacy Fisher-Yates, from the last key down */
    for (size_t i = count > 0 ? count - 1 : 0; i > 0; i--) {
        /* NOTE: j is a 32-bit output masked to i's bits, drawn again until j <= i (no modulo) */
        uint32_t mask = (uint32_t)i;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        size_t j;
        do
            j = random_u32(state) & mask;
        while (j > i);
        size_t key = keys[i];
        keys[i] = keys[j];
        keys[j] = key;
    }
}

static double linspace(double start, double stop, size_t num, size_t i) {
    /* np.linspace: i * step + start, the last element exactly stop */
    if (num > 1 && i == num - 1)
        return stop;
    double step = num > 1 ? (stop - start) / (double)(num - 1) : 0.0;
    return (double)i * step + start;
}

void spiral_data(RandomState *state, size_t samples, size_t classes, float *X, int *y) {
    for (size_t c = 0; c < classes; c++) {
        for (size_t i = 0; i < samples; i++) {
            /* NOTE: randn rounded to float32, times 0.2f in float; t, sin, cos in double */
            float noise = (float)random_gauss(state) * 0.2f;
            double r = linspace(0.0, 1.0, samples, i);
            double t = linspace(c * 4.0, (c + 1) * 4.0, samples, i) + (double)noise;
            size_t row = c * samples + i;
            X[2 * row] = (float)(r * sin(t * 2.5));
            X[2 * row + 1] = (float)(r * cos(t * 2.5));
            y[row] = (int)c;
        }
    }
}

void vertical_data(RandomState *state, size_t samples, size_t classes, float *X, int *y) {
    for (size_t c = 0; c < classes; c++) {
        float shift = (float)((double)c / 3.0);
        size_t first = c * samples;
        for (size_t i = 0; i < samples; i++) /* all x of the class first, then all y */
            X[2 * (first + i)] = (float)random_gauss(state) * 0.1f + shift;
        for (size_t i = 0; i < samples; i++) {
            X[2 * (first + i) + 1] = (float)random_gauss(state) * 0.1f + 0.5f;
            y[first + i] = (int)c;
        }
    }
}

void sine_data(size_t samples, double *X, double *y) {
    for (size_t i = 0; i < samples; i++) {
        X[i] = (double)i / (double)samples;
        y[i] = sin(2 * 3.141592653589793 * X[i]);
    }
}

void layer_weights(RandomState *state, size_t n_inputs, size_t n_neurons, float scale,
                   float *weights) {
    for (size_t i = 0; i < n_inputs * n_neurons; i++)
        weights[i] = scale * (float)random_gauss(state); /* NOTE: a float32 product */
}

/* ------------------------------------------------------------------------------------------
 * The book tier's stages, as the kit calls them: the float32 values widened to double.
 * NOTE: widened from float arrays, not written as (float)(...) into double: GCC 12 at -O2
 *       vectorizes that and drops the rounding to float. */

bool rng(uint32_t seed, const RngCall *calls, size_t count, double *values) {
    RandomState state;
    random_seed(&state, seed);
    for (size_t c = 0; c < count; c++)
        for (size_t i = 0; i < calls[c].count; i++)
            *values++ = calls[c].kind == 0   ? (double)random_u32(&state)
                        : calls[c].kind == 1 ? random_double(&state)
                                             : random_gauss(&state);
    return true;
}

static void *need(void *allocated) {
    if (allocated == NULL)
        abort();
    return allocated;
}

bool datasets(DatasetKind dataset, uint32_t seed, size_t samples, size_t classes, double *x,
              double *y) {
    if (dataset == SINE) {
        sine_data(samples, x, y);
        return true;
    }
    size_t rows = samples * classes;
    float *X = need(calloc(rows ? 2 * rows : 1, sizeof *X));
    int *labels = need(calloc(rows ? rows : 1, sizeof *labels));
    RandomState state;
    random_seed(&state, seed);
    if (dataset == VERTICAL)
        vertical_data(&state, samples, classes, X, labels);
    else
        spiral_data(&state, samples, classes, X, labels);
    for (size_t i = 0; i < rows; i++) {
        x[2 * i] = X[2 * i];
        x[2 * i + 1] = X[2 * i + 1];
        y[i] = labels[i];
    }
    free(X);
    free(labels);
    return true;
}

bool init(uint32_t seed, size_t skip, const LayerShape *shapes, size_t count, double scale,
          double *weights) {
    RandomState state;
    random_seed(&state, seed);
    for (size_t i = 0; i < skip; i++)
        random_gauss(&state);
    for (size_t l = 0; l < count; l++) {
        size_t n = shapes[l].n_inputs * shapes[l].n_neurons;
        float *w = need(calloc(n ? n : 1, sizeof *w));
        /* NOTE: the Python scalar is rounded to float32 before the float32 product */
        layer_weights(&state, shapes[l].n_inputs, shapes[l].n_neurons, (float)scale, w);
        for (size_t i = 0; i < n; i++)
            *weights++ = w[i];
        free(w);
    }
    return true;
}

bool shuffle(uint32_t seed, size_t samples, size_t *keys) {
    /* chapter 19: keys = np.array(range(samples)); np.random.shuffle(keys) */
    RandomState state;
    random_seed(&state, seed);
    for (size_t i = 0; i < samples; i++)
        keys[i] = i;
    random_shuffle(&state, keys, samples);
    return true;
}
