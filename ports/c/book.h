/* The book tier (docs/BOOK.md): NumPy's legacy random stream and shuffle, the nnfs datasets,
 * Layer_Dense's initial weights (book.c) and the chapter 3-10 script (chapters.c), bit for
 * bit. */
#ifndef NNFS_BOOK_H
#define NNFS_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "nnfs_kit.h"

typedef struct {
    uint32_t mt[624];
    int index;
    int has_gauss;
    double gauss;
} RandomState;

void random_seed(RandomState *state, uint32_t seed); /* np.random.seed(seed) */
uint32_t random_u32(RandomState *state);             /* one 32-bit output */
double random_double(RandomState *state);            /* np.random.random_sample() */
double random_gauss(RandomState *state);             /* np.random.randn(), cached pair */
/* np.random.shuffle(keys), in place */
void random_shuffle(RandomState *state, size_t *keys, size_t count);

/* X holds samples*classes rows of 2 floats, y the labels. */
void spiral_data(RandomState *state, size_t samples, size_t classes, float *X, int *y);
void vertical_data(RandomState *state, size_t samples, size_t classes, float *X, int *y);
/* float64, no random numbers: X[i] = i / samples, y[i] = sin(2 pi X[i]) */
void sine_data(size_t samples, double *X, double *y);
/* scale * randn(n_inputs, n_neurons), row-major, in float32 */
void layer_weights(RandomState *state, size_t n_inputs, size_t n_neurons, float scale,
                   float *weights);

/* The stages rng, datasets, init and shuffle (kits/c/nnfs_kit.h) */
bool rng(uint32_t seed, const RngCall *calls, size_t count, double *values);
bool datasets(DatasetKind dataset, uint32_t seed, size_t samples, size_t classes, double *x,
              double *y);
bool init(uint32_t seed, size_t skip, const LayerShape *shapes, size_t count, double scale,
          double *weights);
bool shuffle(uint32_t seed, size_t samples, size_t *keys);
/* The stage chapters (chapters.c): the book's chapter 3-10 script, what it prints */
bool chapters(uint32_t seed, size_t samples, size_t classes, size_t hidden, size_t steps,
              Printed printed, OptimizerKind optimizer, double learning_rate, double decay,
              double momentum, double *value);

#endif
