/* nnfs_kit's stages: ONE table says, per stage, its inputs in the order the reference checks
 * them (reference/run.py), its params and its outputs; the kit reads and checks the inputs,
 * allocates the outputs, calls the learner's function and writes the reply.
 *
 * Dimensions are letters: the first input with a letter binds it, every later one must agree
 * (B samples, D a second batch's, M validation samples, K inputs, N neurons, C classes,
 * H hidden, O outputs, S steps, E epochs, H x W an image, P its pixels). An output letter no
 * input binds is bound by a prepare function from the inputs, or (batches' S) by what the
 * learner returns. Each input is checked for an empty batch, then ragged rows, then its rank
 * and dimensions, then (labels) integers and their range, then its domain: the order of
 * docs/STAGES.md. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { MAX_RANK = 4, MAX_INPUTS = 24, MAX_OUTPUTS = 12, MAX_PARAMS = 5, LETTERS = 26 };
#define UNBOUND ((size_t)-1)
#define MAX_COUNT 4294967295.0 /* counts and book integers are passed up to 2^32 - 1 */

typedef enum {
    SCALAR,  /* a number */
    FACTOR,  /* a number >= 0, as sent (else invalid_value) */
    RATE,    /* a number in [0, 1), as sent (else invalid_value) */
    COUNT,   /* an integer >= 0 (else invalid_value); binds its letter to the count */
    COUNT_1, /* an integer >= 1 (else invalid_value); binds its letter to the count */
    VECTOR,  /* rank 1 */
    MATRIX,  /* rank 2 */
    BATCH,   /* rank 2, and [] is empty_batch */
    WEIGHTS, /* rank 2, K x N; N x K with weights_layout neurons_inputs (then transposed) */
    RANK12,  /* rank 1 (given as one row) or 2; every RANK12 input of a stage has one shape */
    LABELS,  /* B class indices or B x C one-hot rows, as params.label_format says */
    MASK,    /* rank 2 of 0 and 1, as sent (else invalid_value) */
    BINARY,  /* rank 2 of 0 and 1, as sent (else invalid_label) */
    BYTES,   /* rank 3 of integers 0-255, as sent (else invalid_value), and [] is empty_batch */
    INTEGERS, /* rank 1 of integers (else shape_mismatch) */
    KEYS,    /* rank 1: a permutation of 0 .. B-1 (else invalid_value) */
    INTEGER, /* the book tier: an integer >= 0 (else shape_mismatch) */
    PAIRS,   /* the book tier: a list of [integer, integer] */
} InputForm;

typedef enum {
    OUT_REAL,      /* a nnfs_real */
    OUT_NUMBER,    /* a double the kit computes (iterations + 1) */
    OUT_VECTOR,    /* Vector */
    OUT_MATRIX,    /* Matrix */
    OUT_RANK12,    /* Matrix, written with the rank of the RANK12 inputs */
    OUT_INDICES,   /* size_t[B] */
    OUT_INTEGERS,  /* int64_t[B] */
    OUT_CLASSES,   /* ClassMatrix */
    OUT_PREDICTIONS, /* by params.activation: size_t[B], ClassMatrix or Matrix */
    OUT_MATRICES,  /* Matrix[S] */
    OUT_VECTORS,   /* Vector[S] */
    OUT_DOUBLES,   /* double[n] */
    OUT_DMATRIX,   /* double[rows x cols], written as rows */
    OUT_DATASET_Y, /* double[rows]: labels, or (sine) rows of one value */
    OUT_PRINTED,   /* double[rows x cols], written as rows; one number when printed says so */
} OutputForm;

typedef struct {
    const char *name;
    InputForm form;
    const char *dims;
} InputSpec;

typedef struct {
    const char *name;
    OutputForm form;
    const char *dims;
} OutputSpec;

typedef struct {
    const char *name;
    const char *const *choices; /* NULL: a number */
} ParamSpec;

typedef struct {
    size_t rank, dims[MAX_RANK];
} Shape;

typedef struct {
    double number; /* a scalar or count as sent */
    nnfs_real real;
    Vector vector;
    Matrix matrix;
    Labels labels;
    Images images;
    int64_t *integers;
    ClassMatrix classes;
    size_t *indices, *pairs, count; /* pairs: count x 2 */
    Matrix *matrices;
    Vector *vectors;
    double *doubles;
} Value;

struct Stage;

typedef struct {
    const struct Stage *stage;
    const cJSON *inputs;
    size_t letter[LETTERS];
    Shape shape12;
    bool has_shape12;
    int choice[MAX_PARAMS];
    double param[MAX_PARAMS];
    void **allocations;
    size_t allocated, capacity;
    const char *kind; /* of the refusal; "unsupported" declines the case */
    char message[300];
} Request;

typedef bool (*Call)(const nnfs_stages *s, Request *r, Value *in, Value *out);

typedef struct Stage {
    const char *name;
    size_t offset; /* of the learner's function in nnfs_stages */
    InputSpec inputs[MAX_INPUTS];
    ParamSpec params[MAX_PARAMS];
    OutputSpec outputs[MAX_OUTPUTS];
    Call call;
    bool (*prepare)(Request *r, const Value *in); /* the book tier: sizes its inputs imply */
} Stage;

/* ------------------------------------------------------------------------------------------
 * The learner's verdict */

static enum { DONE, FAILED, DECLINED } verdict;
static char verdict_message[1000];

static bool set_verdict(int which, const char *format, va_list args) {
    verdict = which;
    vsnprintf(verdict_message, sizeof verdict_message, format, args);
    return false;
}

bool nnfs_fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    set_verdict(FAILED, format, args);
    va_end(args);
    return false;
}

bool nnfs_unsupported(const char *format, ...) {
    va_list args;
    va_start(args, format);
    set_verdict(DECLINED, format, args);
    va_end(args);
    return false;
}

/* ------------------------------------------------------------------------------------------
 * Reading and checking inputs */

static bool refuse(Request *r, const char *kind, const char *format, ...) {
    va_list args;
    va_start(args, format);
    r->kind = kind;
    vsnprintf(r->message, sizeof r->message, format, args);
    va_end(args);
    return false;
}

static void *allocate(Request *r, size_t count, size_t size) {
    /* zeroed, freed after the reply */
    if (r->allocated == r->capacity) {
        r->capacity = r->capacity ? 2 * r->capacity : 32;
        r->allocations = kit_need(realloc(r->allocations, r->capacity * sizeof(void *)));
    }
    void *memory = kit_need(calloc(count ? count : 1, size));
    r->allocations[r->allocated++] = memory;
    return memory;
}

static bool shape_of(const cJSON *json, Shape *shape) {
    /* the shape of a nested list, as the reference computes it; false when the lists at one
     * depth differ in length or depth (ragged rows). Dims past MAX_RANK are only counted. */
    *shape = (Shape){0};
    if (!cJSON_IsArray(json))
        return true;
    Shape first = {0}, other;
    size_t count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        if (!shape_of(item, count == 0 ? &first : &other))
            return false;
        if (count > 0 && other.rank != first.rank)
            return false;
        for (size_t i = 0; count > 0 && i < first.rank && i < MAX_RANK; i++)
            if (other.dims[i] != first.dims[i])
                return false;
        count++;
    }
    shape->rank = first.rank + 1;
    shape->dims[0] = count;
    for (size_t i = 1; i < shape->rank && i < MAX_RANK; i++)
        shape->dims[i] = first.dims[i - 1];
    return true;
}

static char *shape_text(Shape shape, char text[64]) {
    if (shape.rank == 0)
        return strcpy(text, "a single value");
    size_t len = (size_t)snprintf(text, 64, "[");
    for (size_t i = 0; i < shape.rank && len < 50; i++)
        len += (size_t)snprintf(text + len, 64 - len, "%s%zu", i ? ", " : "",
                                i < MAX_RANK ? shape.dims[i] : 0);
    snprintf(text + len, 64 - len, "]");
    return text;
}

static char *wanted_text(const Request *r, const char *dims, char text[64]) {
    /* [K=3, N]: the letters, with the values bound so far */
    size_t len = (size_t)snprintf(text, 64, "[");
    for (size_t i = 0; dims[i] != '\0' && len < 50; i++) {
        size_t value = r->letter[dims[i] - 'A'];
        if (value == UNBOUND)
            len += (size_t)snprintf(text + len, 64 - len, "%s%c", i ? ", " : "", dims[i]);
        else
            len += (size_t)snprintf(text + len, 64 - len, "%s%c=%zu", i ? ", " : "", dims[i],
                                    value);
    }
    snprintf(text + len, 64 - len, "]");
    return text;
}

static bool fit(Request *r, const char *name, Shape shape, const char *dims) {
    /* the rank and every dimension; then the letters are bound */
    size_t rank = strlen(dims);
    bool fits = shape.rank == rank;
    for (size_t i = 0; fits && i < rank; i++) {
        size_t bound = r->letter[dims[i] - 'A'];
        fits = bound == UNBOUND || bound == shape.dims[i];
    }
    if (!fits) {
        char got[64], wanted[64];
        return refuse(r, "shape_mismatch", "%s has shape %s, %s wants %s", name,
                      shape_text(shape, got), r->stage->name, wanted_text(r, dims, wanted));
    }
    for (size_t i = 0; i < rank; i++)
        r->letter[dims[i] - 'A'] = shape.dims[i];
    return true;
}

static bool read_reals(Request *r, const char *name, const cJSON *json, size_t rank,
                       nnfs_real *values) {
    /* the numbers of a rank-1 or rank-2 list (its shape checked), row-major */
    size_t i = 0, at = 0;
    const cJSON *line, *item;
    if (rank == 1) {
        cJSON_ArrayForEach(item, json) {
            double x;
            if (!json_number(item, &x))
                return refuse(r, "shape_mismatch", "%s[%zu] is not a number", name, i);
            values[i++] = (nnfs_real)x;
        }
        return true;
    }
    cJSON_ArrayForEach(line, json) {
        size_t j = 0;
        cJSON_ArrayForEach(item, line) {
            double x;
            if (!json_number(item, &x))
                return refuse(r, "shape_mismatch", "%s[%zu][%zu] is not a number", name, i, j);
            values[at++] = (nnfs_real)x;
            j++;
        }
        i++;
    }
    return true;
}

static bool zeros_ones(Request *r, const char *name, const cJSON *json, const char *kind) {
    /* every entry 0 or 1 as sent (true, 0.5 or "NaN" is not), before any rounding */
    size_t i = 0;
    const cJSON *line, *item;
    cJSON_ArrayForEach(line, json) {
        size_t j = 0;
        cJSON_ArrayForEach(item, line) {
            if (!cJSON_IsNumber(item) || (item->valuedouble != 0 && item->valuedouble != 1))
                return refuse(r, kind, "%s[%zu][%zu] is not 0 or 1", name, i, j);
            j++;
        }
        i++;
    }
    return true;
}

static bool read_labels(Request *r, const char *name, const cJSON *json, Shape shape,
                        const char *dims, Value *v) {
    /* sparse: B integers in [0, C); onehot: B x C rows, each one 1 among 0s */
    size_t classes = r->letter[dims[1] - 'A'];
    if (r->choice[0] == SPARSE) {
        if (!fit(r, name, shape, (char[]){dims[0], '\0'}))
            return false;
        v->labels = (Labels){.format = SPARSE,
                             .sparse = allocate(r, shape.dims[0], sizeof(size_t))};
        size_t i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, json) {
            double y = item->valuedouble;
            if (!cJSON_IsNumber(item) || !isfinite(y) || floor(y) != y)
                return refuse(r, "invalid_label", "%s[%zu] is not an integer", name, i);
            if (y < 0 || y >= (double)classes)
                return refuse(r, "label_out_of_range", "%s[%zu] = %g is not in [0, %zu)", name,
                              i, y, classes);
            v->labels.sparse[i++] = (size_t)y;
        }
        return true;
    }
    if (!fit(r, name, shape, dims))
        return false;
    size_t i = 0;
    const cJSON *line, *item;
    cJSON_ArrayForEach(line, json) {
        size_t ones = 0, zeros = 0;
        cJSON_ArrayForEach(item, line) {
            ones += cJSON_IsNumber(item) && item->valuedouble == 1;
            zeros += cJSON_IsNumber(item) && item->valuedouble == 0;
        }
        if (ones != 1 || zeros != shape.dims[1] - 1)
            return refuse(r, "invalid_label", "%s[%zu] is not one 1 among 0s", name, i);
        i++;
    }
    Matrix m = {shape.dims[0], shape.dims[1], allocate(r, shape.dims[0] * shape.dims[1],
                                                       sizeof(nnfs_real))};
    v->labels = (Labels){.format = ONEHOT, .onehot = m};
    return read_reals(r, name, json, 2, m.values);
}

static bool read_integer(Request *r, const char *name, const cJSON *json, double least,
                         const char *kind, double *value) {
    /* a JSON integer >= least; a count past MAX_COUNT is declined */
    double x = json->valuedouble;
    if (!cJSON_IsNumber(json) || !isfinite(x) || floor(x) != x || x < least)
        return refuse(r, kind, "%s must be an integer >= %g", name, least);
    if (x > MAX_COUNT)
        return refuse(r, "unsupported", "%s = %g: the C kit passes counts up to 2^32 - 1", name,
                      x);
    *value = x;
    return true;
}

static size_t flatten(const cJSON *json, const cJSON **leaves, size_t at) {
    /* the leaves of a nested list whose shape is checked, row-major */
    if (!cJSON_IsArray(json)) {
        leaves[at] = json;
        return at + 1;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, json)
        at = flatten(item, leaves, at);
    return at;
}

static bool is_integer(const cJSON *json) {
    double x = json->valuedouble;
    return cJSON_IsNumber(json) && isfinite(x) && floor(x) == x;
}

static bool read_bytes(Request *r, const char *name, const cJSON *json, Shape shape,
                       Value *v) {
    /* images: B x H x W, each an integer 0-255 as sent (not 255.5, true or "NaN") */
    size_t count = shape.dims[0] * shape.dims[1] * shape.dims[2];
    size_t per_image = shape.dims[1] * shape.dims[2];
    const cJSON **leaves = allocate(r, count, sizeof(const cJSON *));
    flatten(json, leaves, 0);
    uint8_t *pixels = allocate(r, count, sizeof(uint8_t));
    for (size_t i = 0; i < count; i++) {
        double x = leaves[i]->valuedouble;
        if (!is_integer(leaves[i]) || x < 0 || x > 255)
            return refuse(r, "invalid_value", "%s[%zu][%zu][%zu] is not a byte 0-255", name,
                          i / per_image, i % per_image / shape.dims[2], i % shape.dims[2]);
        pixels[i] = (uint8_t)x;
    }
    v->images = (Images){shape.dims[0], shape.dims[1], shape.dims[2], pixels};
    return true;
}

static bool read_integers(Request *r, const char *name, const cJSON *json, Value *v) {
    /* integers as sent (labels: any integer), up to 2^53 in size */
    size_t i = 0;
    const cJSON *item;
    v->integers = allocate(r, (size_t)cJSON_GetArraySize(json), sizeof(int64_t));
    cJSON_ArrayForEach(item, json) {
        if (!is_integer(item))
            return refuse(r, "shape_mismatch", "%s[%zu] is not an integer", name, i);
        if (fabs(item->valuedouble) > 9007199254740992.0)
            return refuse(r, "unsupported", "%s[%zu] = %g: the C kit passes integers up to "
                          "2^53", name, i, item->valuedouble);
        v->integers[i++] = (int64_t)item->valuedouble;
    }
    return true;
}

static bool read_keys(Request *r, const char *name, const cJSON *json, Value *v) {
    /* a permutation of 0 .. B-1: each an integer in range, none twice */
    size_t count = (size_t)cJSON_GetArraySize(json), i = 0;
    bool *seen = allocate(r, count, sizeof(bool));
    v->indices = allocate(r, count, sizeof(size_t));
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        double x = item->valuedouble;
        if (!is_integer(item) || x < 0 || x >= (double)count || seen[(size_t)x])
            return refuse(r, "invalid_value", "%s is not a permutation of 0..%zu: %s[%zu] is "
                          "not a key left", name, count - 1, name, i);
        seen[(size_t)x] = true;
        v->indices[i++] = (size_t)x;
    }
    return true;
}

static bool read_input(Request *r, const InputSpec *spec, Value *v) {
    const char *name = spec->name;
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(r->inputs, name);
    if (json == NULL)
        kit_die("the run message for %s has no input \"%s\"", r->stage->name, name);
    if (spec->form == COUNT || spec->form == COUNT_1) {
        if (!read_integer(r, name, json, spec->form == COUNT_1, "invalid_value", &v->number))
            return false;
        if (spec->dims[0] != '\0')
            r->letter[spec->dims[0] - 'A'] = (size_t)v->number;
        return true;
    }
    if (spec->form == INTEGER)
        return read_integer(r, name, json, 0, "shape_mismatch", &v->number);
    if ((spec->form == BATCH || spec->form == BYTES) && cJSON_IsArray(json) &&
        json->child == NULL)
        return refuse(r, "empty_batch", "%s has no samples", name);
    Shape shape;
    if (!shape_of(json, &shape))
        return refuse(r, "ragged_rows", "%s has rows of different lengths", name);
    switch (spec->form) {
    case SCALAR:
    case FACTOR:
    case RATE:
        if (shape.rank != 0 || !json_number(json, &v->number))
            return refuse(r, "shape_mismatch", "%s must be a single number", name);
        if (spec->form == FACTOR && !(v->number >= 0)) /* NaN is outside every domain */
            return refuse(r, "invalid_value", "%s = %g is not >= 0", name, v->number);
        if (spec->form == RATE && !(v->number >= 0 && v->number < 1))
            return refuse(r, "invalid_value", "%s = %g is not in [0, 1)", name, v->number);
        v->real = (nnfs_real)v->number;
        return true;
    case VECTOR:
        if (!fit(r, name, shape, spec->dims))
            return false;
        v->vector = (Vector){shape.dims[0], allocate(r, shape.dims[0], sizeof(nnfs_real))};
        return read_reals(r, name, json, 1, v->vector.values);
    case WEIGHTS:
        if (r->choice[0] == 1) { /* neurons_inputs: N x K rows, given to the learner as K x N */
            const char swapped[] = {spec->dims[1], spec->dims[0], '\0'};
            if (!fit(r, name, shape, swapped))
                return false;
            size_t n = shape.dims[0], k = shape.dims[1];
            nnfs_real *rows = allocate(r, n * k, sizeof(nnfs_real));
            if (!read_reals(r, name, json, 2, rows))
                return false;
            v->matrix = (Matrix){k, n, allocate(r, n * k, sizeof(nnfs_real))};
            for (size_t i = 0; i < k; i++)
                for (size_t j = 0; j < n; j++)
                    row(v->matrix, i)[j] = rows[j * k + i];
            return true;
        }
        /* fall through */
    case MATRIX:
    case BATCH:
    case MASK:
    case BINARY:
        if (!fit(r, name, shape, spec->dims))
            return false;
        if (spec->form == MASK && !zeros_ones(r, name, json, "invalid_value"))
            return false;
        if (spec->form == BINARY && !zeros_ones(r, name, json, "invalid_label"))
            return false;
        v->matrix = (Matrix){shape.dims[0], shape.dims[1],
                             allocate(r, shape.dims[0] * shape.dims[1], sizeof(nnfs_real))};
        return read_reals(r, name, json, 2, v->matrix.values);
    case RANK12:
        if (shape.rank != 1 && shape.rank != 2)
            return refuse(r, "shape_mismatch", "%s must have rank 1 or 2, has shape %s", name,
                          shape_text(shape, (char[64]){0}));
        if (r->has_shape12 && (shape.rank != r->shape12.rank ||
                               shape.dims[0] != r->shape12.dims[0] ||
                               (shape.rank == 2 && shape.dims[1] != r->shape12.dims[1])))
            return refuse(r, "shape_mismatch", "%s has shape %s, the shape of %s is %s", name,
                          shape_text(shape, (char[64]){0}), r->stage->inputs[0].name,
                          shape_text(r->shape12, (char[64]){0}));
        r->shape12 = shape;
        r->has_shape12 = true;
        v->matrix = shape.rank == 1 ? (Matrix){1, shape.dims[0], NULL}
                                    : (Matrix){shape.dims[0], shape.dims[1], NULL};
        v->matrix.values = allocate(r, v->matrix.rows * v->matrix.cols, sizeof(nnfs_real));
        return read_reals(r, name, json, shape.rank, v->matrix.values);
    case LABELS:
        return read_labels(r, name, json, shape, spec->dims, v);
    case BYTES:
        return fit(r, name, shape, spec->dims) && read_bytes(r, name, json, shape, v);
    case INTEGERS:
        return fit(r, name, shape, spec->dims) && read_integers(r, name, json, v);
    case KEYS:
        return fit(r, name, shape, spec->dims) && read_keys(r, name, json, v);
    case PAIRS:
        if (shape.rank != 2 || shape.dims[1] != 2)
            return refuse(r, "shape_mismatch", "%s must be a list of [integer, integer] pairs",
                          name);
        v->count = shape.dims[0];
        v->pairs = allocate(r, 2 * v->count, sizeof(size_t));
        size_t i = 0;
        const cJSON *pair, *item;
        cJSON_ArrayForEach(pair, json) {
            cJSON_ArrayForEach(item, pair) {
                double x;
                if (!read_integer(r, name, item, 0, "shape_mismatch", &x))
                    return false;
                v->pairs[i++] = (size_t)x;
            }
        }
        return true;
    default:
        return false; /* the counts and INTEGER are read above */
    }
}

/* ------------------------------------------------------------------------------------------
 * Outputs: allocated before the call, checked and written after it */

typedef struct {
    size_t dims[3];
} Want;

static void want_of(const Request *r, const OutputSpec *spec, Want *want) {
    /* the output's dimensions, from the letters bound so far */
    for (size_t i = 0; i < 3 && spec->dims[i] != '\0'; i++)
        want->dims[i] = r->letter[spec->dims[i] - 'A'];
    if (spec->form == OUT_RANK12) { /* the shape of the RANK12 inputs */
        want->dims[0] = r->shape12.rank == 1 ? 1 : r->shape12.dims[0];
        want->dims[1] = r->shape12.rank == 1 ? r->shape12.dims[0] : r->shape12.dims[1];
    }
}

static ClassMatrix new_classes(Request *r, size_t rows, size_t cols) {
    return (ClassMatrix){rows, cols, allocate(r, rows * cols, sizeof(size_t))};
}

static void allocate_output(Request *r, const OutputSpec *spec, Value *v, Want *want) {
    want_of(r, spec, want);
    size_t *d = want->dims;
    switch (spec->form) {
    case OUT_REAL:
    case OUT_NUMBER:
        break;
    case OUT_VECTOR:
        v->vector = (Vector){d[0], allocate(r, d[0], sizeof(nnfs_real))};
        break;
    case OUT_RANK12:
    case OUT_MATRIX:
        v->matrix = (Matrix){d[0], d[1], allocate(r, d[0] * d[1], sizeof(nnfs_real))};
        break;
    case OUT_INDICES:
        v->indices = allocate(r, d[0], sizeof(size_t));
        break;
    case OUT_INTEGERS:
        v->integers = allocate(r, d[0], sizeof(int64_t));
        break;
    case OUT_CLASSES:
        v->classes = new_classes(r, d[0], d[1]);
        break;
    case OUT_PREDICTIONS: /* choice 0 is the activation: only its array */
        if (r->choice[0] == SOFTMAX)
            v->indices = allocate(r, d[0], sizeof(size_t));
        else if (r->choice[0] == SIGMOID)
            v->classes = new_classes(r, d[0], d[1]);
        else
            v->matrix = (Matrix){d[0], d[1], allocate(r, d[0] * d[1], sizeof(nnfs_real))};
        break;
    case OUT_MATRICES:
        v->matrices = allocate(r, d[0], sizeof(Matrix));
        for (size_t s = 0; s < d[0]; s++)
            v->matrices[s] = (Matrix){d[1], d[2], allocate(r, d[1] * d[2], sizeof(nnfs_real))};
        break;
    case OUT_VECTORS:
        v->vectors = allocate(r, d[0], sizeof(Vector));
        for (size_t s = 0; s < d[0]; s++)
            v->vectors[s] = (Vector){d[1], allocate(r, d[1], sizeof(nnfs_real))};
        break;
    case OUT_DOUBLES:
    case OUT_DATASET_Y:
        v->doubles = allocate(r, d[0], sizeof(double));
        break;
    case OUT_DMATRIX:
    case OUT_PRINTED:
        v->doubles = allocate(r, d[0] * d[1], sizeof(double));
        break;
    }
}

static bool vector_fits(Vector v, size_t len) { return v.len == len && (v.values || !len); }

static bool matrix_fits(Matrix m, size_t rows, size_t cols) {
    return m.rows == rows && m.cols == cols && (m.values || !rows || !cols);
}

static bool classes_fit(ClassMatrix m, size_t rows, size_t cols) {
    return m.rows == rows && m.cols == cols && (m.values || !rows || !cols);
}

static bool output_fits(Request *r, const OutputSpec *spec, const Value *v, const Want *want) {
    /* the learner may have replaced an output array in a struct: same shape, or exception */
    const size_t *d = want->dims;
    bool fits = true;
    char got[64] = "";
    switch (spec->form) {
    case OUT_VECTOR:
        fits = vector_fits(v->vector, d[0]);
        snprintf(got, sizeof got, "%zu values", v->vector.len);
        break;
    case OUT_MATRIX:
    case OUT_RANK12:
        fits = matrix_fits(v->matrix, d[0], d[1]);
        snprintf(got, sizeof got, "%zu x %zu", v->matrix.rows, v->matrix.cols);
        break;
    case OUT_INDICES:
        fits = v->indices != NULL;
        strcpy(got, "NULL");
        break;
    case OUT_INTEGERS:
        fits = v->integers != NULL;
        strcpy(got, "NULL");
        break;
    case OUT_PREDICTIONS:
        if (r->choice[0] == SOFTMAX) {
            fits = v->indices != NULL;
            strcpy(got, "NULL");
        } else if (r->choice[0] == LINEAR) {
            fits = matrix_fits(v->matrix, d[0], d[1]);
            snprintf(got, sizeof got, "%zu x %zu", v->matrix.rows, v->matrix.cols);
        } else {
            fits = classes_fit(v->classes, d[0], d[1]);
            snprintf(got, sizeof got, "%zu x %zu", v->classes.rows, v->classes.cols);
        }
        break;
    case OUT_CLASSES:
        fits = classes_fit(v->classes, d[0], d[1]);
        snprintf(got, sizeof got, "%zu x %zu", v->classes.rows, v->classes.cols);
        break;
    case OUT_MATRICES:
        fits = v->matrices != NULL;
        for (size_t s = 0; fits && s < d[0]; s++)
            if (!matrix_fits(v->matrices[s], d[1], d[2]))
                snprintf(got, sizeof got, "[%zu] %zu x %zu", s, v->matrices[s].rows,
                         v->matrices[s].cols),
                    fits = false;
        break;
    case OUT_VECTORS:
        fits = v->vectors != NULL;
        for (size_t s = 0; fits && s < d[0]; s++)
            if (!vector_fits(v->vectors[s], d[1]))
                snprintf(got, sizeof got, "[%zu] %zu values", s, v->vectors[s].len),
                    fits = false;
        break;
    default:
        break;
    }
    if (!fits)
        refuse(r, "exception", "%s returned %s of %s; it must be %s (write into the arrays "
               "the kit allocates, never replace them)", r->stage->name, spec->name,
               got[0] ? got : "NULL", wanted_text(r, spec->dims, (char[64]){0}));
    return fits;
}

static void write_reals(Buffer *b, const nnfs_real *values, size_t count) {
    buffer_add(b, "[", 1);
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buffer_add(b, ",", 1);
        buffer_number(b, (double)values[i]);
    }
    buffer_add(b, "]", 1);
}

static void write_matrix(Buffer *b, Matrix m) {
    buffer_add(b, "[", 1);
    for (size_t i = 0; i < m.rows; i++) {
        if (i > 0)
            buffer_add(b, ",", 1);
        write_reals(b, row(m, i), m.cols);
    }
    buffer_add(b, "]", 1);
}

static void write_indices(Buffer *b, const size_t *values, size_t count) {
    buffer_add(b, "[", 1);
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buffer_add(b, ",", 1);
        buffer_number(b, (double)values[i]);
    }
    buffer_add(b, "]", 1);
}

static void write_classes(Buffer *b, ClassMatrix m) {
    buffer_add(b, "[", 1);
    for (size_t i = 0; i < m.rows; i++) {
        if (i > 0)
            buffer_add(b, ",", 1);
        write_indices(b, m.values + i * m.cols, m.cols);
    }
    buffer_add(b, "]", 1);
}

static void write_doubles(Buffer *b, const double *values, size_t rows, size_t cols) {
    /* cols 0: a flat list */
    buffer_add(b, "[", 1);
    for (size_t i = 0; i < rows; i++) {
        if (i > 0)
            buffer_add(b, ",", 1);
        if (cols > 0)
            buffer_add(b, "[", 1);
        for (size_t j = 0; j < (cols ? cols : 1); j++) {
            if (j > 0)
                buffer_add(b, ",", 1);
            buffer_number(b, values[i * (cols ? cols : 1) + j]);
        }
        if (cols > 0)
            buffer_add(b, "]", 1);
    }
    buffer_add(b, "]", 1);
}

static bool printed_number(int printed) {
    return printed == PRINTED_LOSS || printed == PRINTED_ACCURACY ||
           printed == PRINTED_LEARNING_RATE;
}

static void write_output(Buffer *b, const Request *r, const OutputSpec *spec, const Value *v,
                         const Want *want) {
    const size_t *d = want->dims;
    buffer_string(b, spec->name);
    buffer_add(b, ":", 1);
    switch (spec->form) {
    case OUT_REAL:
        buffer_number(b, (double)v->real);
        break;
    case OUT_NUMBER:
        buffer_number(b, v->number);
        break;
    case OUT_VECTOR:
        write_reals(b, v->vector.values, v->vector.len);
        break;
    case OUT_RANK12:
        if (r->shape12.rank == 1) {
            write_reals(b, v->matrix.values, v->matrix.cols);
            break;
        }
        /* fall through */
    case OUT_MATRIX:
        write_matrix(b, v->matrix);
        break;
    case OUT_INDICES:
        write_indices(b, v->indices, d[0]);
        break;
    case OUT_INTEGERS:
        buffer_add(b, "[", 1);
        for (size_t i = 0; i < d[0]; i++) {
            if (i > 0)
                buffer_add(b, ",", 1);
            buffer_number(b, (double)v->integers[i]);
        }
        buffer_add(b, "]", 1);
        break;
    case OUT_CLASSES:
        write_classes(b, v->classes);
        break;
    case OUT_PREDICTIONS: /* choice 0 is the activation */
        if (r->choice[0] == SOFTMAX)
            write_indices(b, v->indices, d[0]);
        else if (r->choice[0] == SIGMOID)
            write_classes(b, v->classes);
        else
            write_matrix(b, v->matrix);
        break;
    case OUT_MATRICES:
    case OUT_VECTORS:
        buffer_add(b, "[", 1);
        for (size_t s = 0; s < d[0]; s++) {
            if (s > 0)
                buffer_add(b, ",", 1);
            if (spec->form == OUT_MATRICES)
                write_matrix(b, v->matrices[s]);
            else
                write_reals(b, v->vectors[s].values, v->vectors[s].len);
        }
        buffer_add(b, "]", 1);
        break;
    case OUT_DOUBLES:
        write_doubles(b, v->doubles, d[0], 0);
        break;
    case OUT_DMATRIX:
        write_doubles(b, v->doubles, d[0], d[1]);
        break;
    case OUT_DATASET_Y: /* choice 0 is the dataset: sine gives rows of one value */
        write_doubles(b, v->doubles, d[0], r->choice[0] == SINE ? 1 : 0);
        break;
    case OUT_PRINTED: /* choice 0 is what is printed */
        if (printed_number(r->choice[0]))
            buffer_number(b, v->doubles[0]);
        else
            write_doubles(b, v->doubles, d[0], d[1]);
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Calling the learner: each stage's arguments from its inputs and outputs, in table order */

#define UNUSED (void)r

static bool call_neuron(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->neuron(in[0].vector, in[1].vector, in[2].real, &out[0].real);
}

static bool call_layer(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->layer(in[0].vector, in[1].matrix, in[2].vector, out[0].vector);
}

static bool call_dense_batch(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->dense_batch(in[0].matrix, in[1].matrix, in[2].vector, out[0].matrix);
}

static bool call_relu(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->relu(in[0].matrix, out[0].matrix);
}

static bool call_dense_relu(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    DenseReLU d = {out[0].matrix, out[1].matrix};
    bool ok = s->dense_relu(in[0].matrix, in[1].matrix, in[2].vector, &d);
    out[0].matrix = d.dense, out[1].matrix = d.relu;
    return ok;
}

static bool call_softmax(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->softmax(in[0].matrix, out[0].matrix);
}

static bool call_dense_relu_dense_softmax(const nnfs_stages *s, Request *r, Value *in,
                                          Value *out) {
    UNUSED;
    Network n = {out[0].matrix, out[1].matrix, out[2].matrix, out[3].matrix};
    bool ok = s->dense_relu_dense_softmax(in[0].matrix, in[1].matrix, in[2].vector,
                                          in[3].matrix, in[4].vector, &n);
    out[0].matrix = n.dense1, out[1].matrix = n.relu1;
    out[2].matrix = n.dense2, out[3].matrix = n.softmax;
    return ok;
}

static bool call_categorical_crossentropy(const nnfs_stages *s, Request *r, Value *in,
                                          Value *out) {
    UNUSED;
    Loss loss = {out[0].vector, 0};
    bool ok = s->categorical_crossentropy(in[0].matrix, in[1].labels, &loss);
    out[0].vector = loss.sample_losses;
    out[1].real = loss.loss;
    return ok;
}

static bool call_accuracy(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    Accuracy accuracy = {out[0].indices, 0};
    bool ok = s->accuracy(in[0].matrix, in[1].labels, &accuracy);
    out[0].indices = accuracy.predictions;
    out[1].real = accuracy.accuracy;
    return ok;
}

static bool call_forward(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    Forward f = {out[0].matrix, out[1].matrix, out[2].matrix, out[3].matrix,
                 {out[4].vector, 0}, {out[6].indices, 0}};
    bool ok = s->forward(in[0].matrix, in[1].matrix, in[2].vector, in[3].matrix, in[4].vector,
                         in[5].labels, &f);
    out[0].matrix = f.dense1, out[1].matrix = f.relu1;
    out[2].matrix = f.dense2, out[3].matrix = f.softmax;
    out[4].vector = f.loss.sample_losses, out[5].real = f.loss.loss;
    out[6].indices = f.accuracy.predictions, out[7].real = f.accuracy.accuracy;
    return ok;
}

static bool call_dense_backward(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    DenseGradients g = {out[0].matrix, out[1].vector, out[2].matrix};
    bool ok = s->dense_backward(in[0].matrix, in[1].matrix, in[2].matrix, &g);
    out[0].matrix = g.dweights, out[1].vector = g.dbiases, out[2].matrix = g.dinputs;
    return ok;
}

static bool call_relu_backward(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->relu_backward(in[0].matrix, in[1].matrix, out[0].matrix);
}

static bool call_repeated_forward(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    RepeatedForward f = {out[0].matrix, out[1].matrix, out[2].matrix, out[3].vector,
                         out[4].matrix};
    bool ok = s->repeated_forward(in[0].matrix, in[1].matrix, in[2].matrix, in[3].vector,
                                  in[4].matrix, &f);
    out[0].matrix = f.output1, out[1].matrix = f.output2;
    out[2].matrix = f.dweights, out[3].vector = f.dbiases, out[4].matrix = f.dinputs;
    return ok;
}

static bool call_softmax_backward(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->softmax_backward(in[0].matrix, in[1].matrix, out[0].matrix);
}

static bool call_categorical_crossentropy_backward(const nnfs_stages *s, Request *r, Value *in,
                                                   Value *out) {
    UNUSED;
    return s->categorical_crossentropy_backward(in[0].matrix, in[1].labels, out[0].matrix);
}

static bool call_softmax_crossentropy_backward(const nnfs_stages *s, Request *r, Value *in,
                                               Value *out) {
    /* path (choice 1) "separate": the book's two backward passes chained */
    if (r->choice[1] == 0)
        return s->softmax_crossentropy_backward(in[0].matrix, in[1].labels, out[0].matrix);
    if (s->categorical_crossentropy_backward == NULL || s->softmax_backward == NULL)
        return nnfs_unsupported("path \"separate\" chains categorical_crossentropy_backward "
                                "and softmax_backward: declare both");
    Matrix y_pred = in[0].matrix;
    Matrix dvalues = {y_pred.rows, y_pred.cols,
                      allocate(r, y_pred.rows * y_pred.cols, sizeof(nnfs_real))};
    return s->categorical_crossentropy_backward(y_pred, in[1].labels, dvalues) &&
           s->softmax_backward(y_pred, dvalues, out[0].matrix);
}

static bool call_regularization(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    Regularizers factors = {in[2].real, in[3].real, in[4].real, in[5].real};
    Regularization g = {0, out[1].matrix, out[2].vector};
    bool ok = s->regularization(in[0].matrix, in[1].vector, factors, &g);
    out[0].real = g.loss, out[1].matrix = g.dweights, out[2].vector = g.dbiases;
    return ok;
}

static bool call_dropout(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED; /* inputs in check order: inputs, mask, dvalues, rate */
    Passes p = {out[0].matrix, out[1].matrix};
    bool ok = s->dropout(in[0].matrix, in[1].matrix, in[3].real, in[2].matrix, &p);
    out[0].matrix = p.output, out[1].matrix = p.dinputs;
    return ok;
}

static bool call_passes(bool (*pass)(Matrix, Matrix, Passes *), Value *in, Value *out) {
    Passes p = {out[0].matrix, out[1].matrix};
    bool ok = pass(in[0].matrix, in[1].matrix, &p);
    out[0].matrix = p.output, out[1].matrix = p.dinputs;
    return ok;
}

static bool call_sigmoid(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return call_passes(s->sigmoid, in, out);
}

static bool call_linear(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return call_passes(s->linear, in, out);
}

static bool call_loss(bool (*loss)(Matrix, Matrix, LossGradients *), Value *in, Value *out) {
    LossGradients g = {out[0].vector, 0, out[2].matrix};
    bool ok = loss(in[0].matrix, in[1].matrix, &g);
    out[0].vector = g.sample_losses, out[1].real = g.loss, out[2].matrix = g.dinputs;
    return ok;
}

static bool call_binary_crossentropy(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return call_loss(s->binary_crossentropy, in, out);
}

static bool call_binary_accuracy(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    BinaryAccuracy a = {out[0].classes, 0};
    bool ok = s->binary_accuracy(in[0].matrix, in[1].matrix, &a);
    out[0].classes = a.predictions, out[1].real = a.accuracy;
    return ok;
}

static bool call_mean_squared_error(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return call_loss(s->mean_squared_error, in, out);
}

static bool call_mean_absolute_error(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return call_loss(s->mean_absolute_error, in, out);
}

static bool call_regression_accuracy(const nnfs_stages *s, Request *r, Value *in,
                                     Value *out) {
    UNUSED;
    return s->regression_accuracy(in[0].matrix, in[1].matrix, in[2].real, &out[0].real);
}

static Matrix *layer_matrix(Layer *layer, const char *name) {
    return strcmp(name, "weights") == 0            ? &layer->weights
           : strcmp(name, "dweights") == 0         ? &layer->dweights
           : strcmp(name, "weight_momentums") == 0 ? &layer->weight_momentums
           : strcmp(name, "weight_cache") == 0     ? &layer->weight_cache
                                                   : NULL;
}

static Vector *layer_vector(Layer *layer, const char *name) {
    return strcmp(name, "biases") == 0           ? &layer->biases
           : strcmp(name, "dbiases") == 0        ? &layer->dbiases
           : strcmp(name, "bias_momentums") == 0 ? &layer->bias_momentums
           : strcmp(name, "bias_cache") == 0     ? &layer->bias_cache
                                                 : NULL;
}

static nnfs_real *hyperparameter(Optimizer *o, const char *name) {
    return strcmp(name, "learning_rate") == 0 ? &o->learning_rate
           : strcmp(name, "decay") == 0       ? &o->decay
           : strcmp(name, "momentum") == 0    ? &o->momentum
           : strcmp(name, "epsilon") == 0     ? &o->epsilon
           : strcmp(name, "rho") == 0         ? &o->rho
           : strcmp(name, "beta_1") == 0      ? &o->beta_1
           : strcmp(name, "beta_2") == 0      ? &o->beta_2
                                              : NULL;
}

typedef bool (*Step)(Layer *, size_t, Optimizer, nnfs_real *);

static bool call_step(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    /* any optimizer step: the Layer and Optimizer fields by the names of the inputs */
    Step step;
    memcpy(&step, (const char *)s + r->stage->offset, sizeof step);
    Layer layer = {0};
    Optimizer optimizer = {0};
    double iterations = 0;
    for (size_t i = 0; r->stage->inputs[i].name != NULL; i++) {
        const char *name = r->stage->inputs[i].name;
        if (layer_matrix(&layer, name) != NULL)
            *layer_matrix(&layer, name) = in[i].matrix;
        else if (layer_vector(&layer, name) != NULL)
            *layer_vector(&layer, name) = in[i].vector;
        else if (hyperparameter(&optimizer, name) != NULL)
            *hyperparameter(&optimizer, name) = in[i].real;
        else
            iterations = in[i].number;
    }
    nnfs_real learning_rate = 0;
    bool ok = step(&layer, (size_t)iterations, optimizer, &learning_rate);
    for (size_t i = 0; r->stage->outputs[i].name != NULL; i++) {
        const char *name = r->stage->outputs[i].name;
        if (layer_matrix(&layer, name) != NULL)
            out[i].matrix = *layer_matrix(&layer, name);
        else if (layer_vector(&layer, name) != NULL)
            out[i].vector = *layer_vector(&layer, name);
        else if (strcmp(name, "learning_rate") == 0)
            out[i].real = learning_rate;
        else
            out[i].number = iterations + 1;
    }
    return ok;
}

static Layer adam_layer(Request *r, const Value *in, size_t l) {
    /* layer l (0 or 1) of shared_optimizer: weights, biases at in[2l], in[2l + 1], their
     * gradients at in[4 + 2l], in[5 + 2l]; Adam's state zeroed, as the book's optimizer makes it
     * on a layer's first update */
    Matrix w = in[2 * l].matrix;
    Vector b = in[2 * l + 1].vector;
    return (Layer){.weights = w,
                   .dweights = in[4 + 2 * l].matrix,
                   .weight_momentums = {w.rows, w.cols,
                                        allocate(r, w.rows * w.cols, sizeof(nnfs_real))},
                   .weight_cache = {w.rows, w.cols,
                                    allocate(r, w.rows * w.cols, sizeof(nnfs_real))},
                   .biases = b,
                   .dbiases = in[5 + 2 * l].vector,
                   .bias_momentums = {b.len, allocate(r, b.len, sizeof(nnfs_real))},
                   .bias_cache = {b.len, allocate(r, b.len, sizeof(nnfs_real))}};
}

static bool call_shared_optimizer(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    Optimizer optimizer = {0};
    for (size_t i = 9; i < MAX_INPUTS && r->stage->inputs[i].name != NULL; i++)
        *hyperparameter(&optimizer, r->stage->inputs[i].name) = in[i].real;
    Layer layers[2] = {adam_layer(r, in, 0), adam_layer(r, in, 1)};
    bool ok = s->shared_optimizer(&layers[0], &layers[1], (size_t)in[8].number, optimizer);
    out[0].matrix = layers[0].weights, out[1].vector = layers[0].biases;
    out[2].matrix = layers[1].weights, out[3].vector = layers[1].biases;
    return ok;
}

static bool call_training(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    Optimizer optimizer = {0};
    for (size_t i = 7; r->stage->inputs[i].name != NULL; i++)
        *hyperparameter(&optimizer, r->stage->inputs[i].name) = in[i].real;
    Training t = {out[0].vector, out[1].vector, out[2].vector, out[3].matrices,
                  out[5].matrices, out[4].vectors, out[6].vectors};
    bool ok = s->training(in[0].matrix, in[5].labels, in[1].matrix, in[2].vector, in[3].matrix,
                          in[4].vector, (size_t)in[6].number, (OptimizerKind)r->choice[1],
                          optimizer, &t);
    out[0].vector = t.loss, out[1].vector = t.accuracy, out[2].vector = t.learning_rate;
    out[3].matrices = t.weights1, out[4].vectors = t.biases1;
    out[5].matrices = t.weights2, out[6].vectors = t.biases2;
    return ok;
}

static bool call_model_training(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    /* inputs in check order: the two layers' inputs, y_true, the validation set, epochs,
     * batch_size, the four regularizers, then the hyperparameters */
    Regularizers regularizers = {in[10].real, in[11].real, in[12].real, in[13].real};
    Optimizer optimizer = {0};
    for (size_t i = 14; i < MAX_INPUTS && r->stage->inputs[i].name != NULL; i++)
        *hyperparameter(&optimizer, r->stage->inputs[i].name) = in[i].real;
    ModelTraining t = {.loss = out[0].vector,
                       .data_loss = out[1].vector,
                       .regularization_loss = out[2].vector,
                       .accuracy = out[3].vector,
                       .learning_rate = out[4].vector,
                       .validation_loss = out[5].vector,
                       .validation_accuracy = out[6].vector,
                       .weights1 = out[7].matrix,
                       .biases1 = out[8].vector,
                       .weights2 = out[9].matrix,
                       .biases2 = out[10].vector};
    bool ok = s->model_training(in[0].matrix, in[5].labels, in[6].matrix, in[7].labels,
                                in[1].matrix, in[2].vector, in[3].matrix, in[4].vector,
                                (size_t)in[8].number, (size_t)in[9].number, regularizers,
                                (OptimizerKind)r->choice[1], optimizer, &t);
    out[0].vector = t.loss, out[1].vector = t.data_loss;
    out[2].vector = t.regularization_loss, out[3].vector = t.accuracy;
    out[4].vector = t.learning_rate, out[5].vector = t.validation_loss;
    out[6].vector = t.validation_accuracy, out[7].matrix = t.weights1;
    out[8].vector = t.biases1, out[9].matrix = t.weights2, out[10].vector = t.biases2;
    return ok;
}

static bool prepare_preprocess(Request *r, const Value *in) {
    /* P: the pixels of one image, a row of x */
    r->letter['P' - 'A'] = in[0].images.height * in[0].images.width;
    return true;
}

static bool call_preprocess(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    Preprocessed p = {out[0].matrix, out[1].integers};
    bool ok = s->preprocess(in[0].images, in[1].integers, in[2].indices, &p);
    out[0].matrix = p.x, out[1].integers = p.y;
    return ok;
}

static bool prepare_batches(Request *r, const Value *in) {
    /* S: room for the most steps a batch size >= 1 gives, one per sample; the learner's
     * `steps` binds it after the call */
    r->letter['S' - 'A'] = in[0].matrix.rows;
    return true;
}

static Matrix first_steps(Matrix returned, Matrix given, size_t steps) {
    /* the kit's own array, cut to the steps taken; any other is checked as it is */
    if (returned.values == given.values && returned.rows == given.rows &&
        returned.cols == given.cols)
        returned.rows = steps;
    return returned;
}

static bool call_batches(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    size_t room = in[0].matrix.rows;
    Batches b = {0, out[1].indices, out[2].matrix, out[3].matrix};
    if (!s->batches(in[0].matrix, (size_t)in[1].number, &b))
        return false;
    if (b.steps > room)
        return nnfs_fail("batches returned steps = %zu, more than one per sample (%zu)",
                         b.steps, room);
    r->letter['S' - 'A'] = b.steps;
    out[0].number = (double)b.steps;
    out[1].indices = b.batch_sizes;
    out[2].matrix = first_steps(b.first_rows, out[2].matrix, b.steps);
    out[3].matrix = first_steps(b.last_rows, out[3].matrix, b.steps);
    return true;
}

static bool call_predictions(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    Predictions p = {out[0].indices, out[0].classes, out[0].matrix};
    bool ok = s->predictions(in[0].matrix, (OutputActivation)r->choice[0], &p);
    out[0].indices = p.classes, out[0].classes = p.binary, out[0].matrix = p.values;
    return ok;
}

static bool call_evaluate(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    Evaluation e = {0, 0};
    bool ok = s->evaluate(in[0].matrix, in[1].labels, (size_t)in[2].number, &e);
    out[0].real = e.loss, out[1].real = e.accuracy;
    return ok;
}

static bool call_parameters(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    LoadedModel m = {out[0].matrix, out[1].vector, out[2].matrix, out[3].vector,
                     out[4].matrix};
    bool ok = s->parameters(in[0].matrix, in[1].matrix, in[2].vector, in[3].matrix,
                            in[4].vector, &m);
    out[0].matrix = m.weights1, out[1].vector = m.biases1;
    out[2].matrix = m.weights2, out[3].vector = m.biases2, out[4].matrix = m.output;
    return ok;
}

static bool prepare_rng(Request *r, const Value *in) {
    /* V: how many values the calls draw */
    size_t total = 0;
    for (size_t i = 0; i < in[1].count; i++) {
        if (in[1].pairs[2 * i] > 2)
            return refuse(r, "shape_mismatch", "calls[%zu]: a call kind must be 0, 1 or 2", i);
        total += in[1].pairs[2 * i + 1];
    }
    r->letter['V' - 'A'] = total;
    return true;
}

static bool call_rng(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    RngCall *calls = allocate(r, in[1].count, sizeof(RngCall));
    for (size_t i = 0; i < in[1].count; i++)
        calls[i] = (RngCall){(unsigned)in[1].pairs[2 * i], in[1].pairs[2 * i + 1]};
    return s->rng((uint32_t)in[0].number, calls, in[1].count, out[0].doubles);
}

static bool prepare_datasets(Request *r, const Value *in) {
    /* R rows of X values */
    bool sine = r->choice[0] == SINE;
    r->letter['R' - 'A'] = (size_t)in[1].number * (sine ? 1 : (size_t)in[2].number);
    r->letter['X' - 'A'] = sine ? 1 : 2;
    return true;
}

static bool call_datasets(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    return s->datasets((DatasetKind)r->choice[0], (uint32_t)in[0].number, (size_t)in[1].number,
                       (size_t)in[2].number, out[0].doubles, out[1].doubles);
}

static bool prepare_init(Request *r, const Value *in) {
    /* W: the weights of every layer */
    size_t total = 0;
    for (size_t i = 0; i < in[2].count; i++)
        total += in[2].pairs[2 * i] * in[2].pairs[2 * i + 1];
    r->letter['W' - 'A'] = total;
    return true;
}

static bool call_init(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    LayerShape *shapes = allocate(r, in[2].count, sizeof(LayerShape));
    for (size_t i = 0; i < in[2].count; i++)
        shapes[i] = (LayerShape){in[2].pairs[2 * i], in[2].pairs[2 * i + 1]};
    return s->init((uint32_t)in[0].number, (size_t)in[1].number, shapes, in[2].count,
                   r->param[0], out[0].doubles);
}

static bool prepare_shuffle(Request *r, const Value *in) {
    /* N keys, one per sample */
    r->letter['N' - 'A'] = (size_t)in[1].number;
    return true;
}

static bool call_shuffle(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    UNUSED;
    return s->shuffle((uint32_t)in[0].number, (size_t)in[1].number, out[0].indices);
}

static bool prepare_chapters(Request *r, const Value *in) {
    /* the printed value: P rows of Q values (one number: 1 x 1) */
    size_t samples = (size_t)in[1].number, classes = (size_t)in[2].number;
    size_t hidden = (size_t)in[3].number, first = samples * classes < 5 ? samples * classes : 5;
    size_t rows = 1, cols = 1;
    switch ((Printed)r->choice[0]) {
    case PRINTED_DENSE1_OUTPUT:
        rows = first, cols = hidden;
        break;
    case PRINTED_SOFTMAX_OUTPUT:
        rows = first, cols = classes;
        break;
    case PRINTED_DWEIGHTS1:
    case PRINTED_WEIGHTS1:
        rows = 2, cols = hidden;
        break;
    case PRINTED_DBIASES1:
    case PRINTED_BIASES1:
        cols = hidden;
        break;
    case PRINTED_DWEIGHTS2:
    case PRINTED_WEIGHTS2:
        rows = hidden, cols = classes;
        break;
    case PRINTED_DBIASES2:
    case PRINTED_BIASES2:
        cols = classes;
        break;
    case PRINTED_LOSS:
    case PRINTED_ACCURACY:
    case PRINTED_LEARNING_RATE:
        break;
    }
    r->letter['P' - 'A'] = rows;
    r->letter['Q' - 'A'] = cols;
    return true;
}

static bool call_chapters(const nnfs_stages *s, Request *r, Value *in, Value *out) {
    return s->chapters((uint32_t)in[0].number, (size_t)in[1].number, (size_t)in[2].number,
                       (size_t)in[3].number, (size_t)in[4].number, (Printed)r->choice[0],
                       (OptimizerKind)r->choice[1], r->param[2], r->param[3], r->param[4],
                       out[0].doubles);
}

/* ------------------------------------------------------------------------------------------
 * The table */

static const char *const LABEL_FORMAT[] = {"sparse", "onehot", NULL}; /* = LabelFormat */
static const char *const WEIGHTS_LAYOUT[] = {"inputs_neurons", "neurons_inputs", NULL};
static const char *const PATH[] = {"combined", "separate", NULL};
static const char *const OPTIMIZER[] = {"sgd", "adagrad", "rmsprop", "adam", NULL};
static const char *const DATASET[] = {"spiral", "vertical", "sine", NULL}; /* = DatasetKind */
/* = OutputActivation */
static const char *const ACTIVATION[] = {"softmax", "sigmoid", "linear", NULL};
static const char *const PRINTED[] = {"dense1_output", "softmax_output", "loss", "accuracy",
                                      "dweights1", "dbiases1", "dweights2", "dbiases2",
                                      "weights1", "biases1", "weights2", "biases2",
                                      "learning_rate", NULL}; /* = Printed */

#define AT(stage) offsetof(nnfs_stages, stage)
#define LABEL_FORMAT_PARAM {"label_format", LABEL_FORMAT}
#define LOSS_OUTPUTS                                                                          \
    {"sample_losses", OUT_VECTOR, "B"}, {"loss", OUT_REAL, ""}, {"dinputs", OUT_MATRIX, "BO"}
#define LAYER_INPUTS                                                                          \
    {"weights", MATRIX, "KN"}, {"biases", VECTOR, "N"}, {"dweights", MATRIX, "KN"},           \
        {"dbiases", VECTOR, "N"}
#define MOMENTUMS(form, matrix) {"weight_momentums", form, "KN"}, {"bias_momentums", matrix, "N"}
#define CACHE(form, matrix) {"weight_cache", form, "KN"}, {"bias_cache", matrix, "N"}
#define ITERATIONS {"iterations", COUNT, ""}
#define HYPER(name) {name, SCALAR, ""}
#define STEP_OUTPUTS {"learning_rate", OUT_REAL, ""}, {"iterations", OUT_NUMBER, ""}
#define TWO_LAYERS                                                                            \
    {"inputs", BATCH, "BK"}, {"weights1", MATRIX, "KH"}, {"biases1", VECTOR, "H"},            \
        {"weights2", MATRIX, "HC"}, {"biases2", VECTOR, "C"}
#define TWO_LAYER_OUTPUTS                                                                     \
    {"weights1", OUT_MATRIX, "KH"}, {"biases1", OUT_VECTOR, "H"},                             \
        {"weights2", OUT_MATRIX, "HC"}, {"biases2", OUT_VECTOR, "C"}

static const Stage STAGES[] = {
    {"neuron", AT(neuron),
     {{"inputs", VECTOR, "K"}, {"weights", VECTOR, "K"}, {"bias", SCALAR, ""}},
     {{0}},
     {{"output", OUT_REAL, ""}},
     call_neuron, NULL},
    {"layer", AT(layer),
     {{"inputs", VECTOR, "K"}, {"weights", MATRIX, "NK"}, {"biases", VECTOR, "N"}},
     {{0}},
     {{"output", OUT_VECTOR, "N"}},
     call_layer, NULL},
    {"dense_batch", AT(dense_batch),
     {{"inputs", BATCH, "BK"}, {"weights", WEIGHTS, "KN"}, {"biases", VECTOR, "N"}},
     {{"weights_layout", WEIGHTS_LAYOUT}},
     {{"output", OUT_MATRIX, "BN"}},
     call_dense_batch, NULL},
    {"relu", AT(relu),
     {{"inputs", RANK12, ""}},
     {{0}},
     {{"output", OUT_RANK12, ""}},
     call_relu, NULL},
    {"dense_relu", AT(dense_relu),
     {{"inputs", BATCH, "BK"}, {"weights", MATRIX, "KN"}, {"biases", VECTOR, "N"}},
     {{0}},
     {{"dense", OUT_MATRIX, "BN"}, {"relu", OUT_MATRIX, "BN"}},
     call_dense_relu, NULL},
    {"softmax", AT(softmax),
     {{"inputs", BATCH, "BC"}},
     {{0}},
     {{"output", OUT_MATRIX, "BC"}},
     call_softmax, NULL},
    {"dense_relu_dense_softmax", AT(dense_relu_dense_softmax),
     {TWO_LAYERS},
     {{0}},
     {{"dense1", OUT_MATRIX, "BH"}, {"relu1", OUT_MATRIX, "BH"}, {"dense2", OUT_MATRIX, "BC"},
      {"softmax", OUT_MATRIX, "BC"}},
     call_dense_relu_dense_softmax, NULL},
    {"categorical_crossentropy", AT(categorical_crossentropy),
     {{"y_pred", BATCH, "BC"}, {"y_true", LABELS, "BC"}},
     {LABEL_FORMAT_PARAM},
     {{"sample_losses", OUT_VECTOR, "B"}, {"loss", OUT_REAL, ""}},
     call_categorical_crossentropy, NULL},
    {"accuracy", AT(accuracy),
     {{"y_pred", BATCH, "BC"}, {"y_true", LABELS, "BC"}},
     {LABEL_FORMAT_PARAM},
     {{"predictions", OUT_INDICES, "B"}, {"accuracy", OUT_REAL, ""}},
     call_accuracy, NULL},
    {"forward", AT(forward),
     {TWO_LAYERS, {"y_true", LABELS, "BC"}},
     {LABEL_FORMAT_PARAM},
     {{"dense1", OUT_MATRIX, "BH"}, {"relu1", OUT_MATRIX, "BH"}, {"dense2", OUT_MATRIX, "BC"},
      {"softmax", OUT_MATRIX, "BC"}, {"sample_losses", OUT_VECTOR, "B"}, {"loss", OUT_REAL, ""},
      {"predictions", OUT_INDICES, "B"}, {"accuracy", OUT_REAL, ""}},
     call_forward, NULL},
    {"dense_backward", AT(dense_backward),
     {{"inputs", BATCH, "BK"}, {"weights", MATRIX, "KN"}, {"dvalues", MATRIX, "BN"}},
     {{0}},
     {{"dweights", OUT_MATRIX, "KN"}, {"dbiases", OUT_VECTOR, "N"},
      {"dinputs", OUT_MATRIX, "BK"}},
     call_dense_backward, NULL},
    {"relu_backward", AT(relu_backward),
     {{"inputs", RANK12, ""}, {"dvalues", RANK12, ""}},
     {{0}},
     {{"dinputs", OUT_RANK12, ""}},
     call_relu_backward, NULL},
    {"repeated_forward", AT(repeated_forward),
     {{"inputs1", BATCH, "BK"}, {"inputs2", BATCH, "DK"}, {"weights", MATRIX, "KN"},
      {"biases", VECTOR, "N"}, {"dvalues", MATRIX, "DN"}},
     {{0}},
     {{"output1", OUT_MATRIX, "BN"}, {"output2", OUT_MATRIX, "DN"},
      {"dweights", OUT_MATRIX, "KN"}, {"dbiases", OUT_VECTOR, "N"},
      {"dinputs", OUT_MATRIX, "DK"}},
     call_repeated_forward, NULL},
    {"softmax_backward", AT(softmax_backward),
     {{"output", BATCH, "BC"}, {"dvalues", MATRIX, "BC"}},
     {{0}},
     {{"dinputs", OUT_MATRIX, "BC"}},
     call_softmax_backward, NULL},
    {"categorical_crossentropy_backward", AT(categorical_crossentropy_backward),
     {{"y_pred", BATCH, "BC"}, {"y_true", LABELS, "BC"}},
     {LABEL_FORMAT_PARAM},
     {{"dinputs", OUT_MATRIX, "BC"}},
     call_categorical_crossentropy_backward, NULL},
    {"softmax_crossentropy_backward", AT(softmax_crossentropy_backward),
     {{"y_pred", BATCH, "BC"}, {"y_true", LABELS, "BC"}},
     {LABEL_FORMAT_PARAM, {"path", PATH}},
     {{"dinputs", OUT_MATRIX, "BC"}},
     call_softmax_crossentropy_backward, NULL},
    {"regularization", AT(regularization),
     {{"weights", MATRIX, "KN"}, {"biases", VECTOR, "N"}, {"weight_regularizer_l1", FACTOR, ""},
      {"weight_regularizer_l2", FACTOR, ""}, {"bias_regularizer_l1", FACTOR, ""},
      {"bias_regularizer_l2", FACTOR, ""}},
     {{0}},
     {{"loss", OUT_REAL, ""}, {"dweights", OUT_MATRIX, "KN"}, {"dbiases", OUT_VECTOR, "N"}},
     call_regularization, NULL},
    {"dropout", AT(dropout),
     {{"inputs", BATCH, "BN"}, {"mask", MASK, "BN"}, {"dvalues", MATRIX, "BN"},
      {"rate", RATE, ""}},
     {{0}},
     {{"output", OUT_MATRIX, "BN"}, {"dinputs", OUT_MATRIX, "BN"}},
     call_dropout, NULL},
    {"sigmoid", AT(sigmoid),
     {{"inputs", BATCH, "BN"}, {"dvalues", MATRIX, "BN"}},
     {{0}},
     {{"output", OUT_MATRIX, "BN"}, {"dinputs", OUT_MATRIX, "BN"}},
     call_sigmoid, NULL},
    {"binary_crossentropy", AT(binary_crossentropy),
     {{"y_pred", BATCH, "BO"}, {"y_true", BINARY, "BO"}},
     {{0}},
     {LOSS_OUTPUTS},
     call_binary_crossentropy, NULL},
    {"binary_accuracy", AT(binary_accuracy),
     {{"y_pred", BATCH, "BO"}, {"y_true", BINARY, "BO"}},
     {{0}},
     {{"predictions", OUT_CLASSES, "BO"}, {"accuracy", OUT_REAL, ""}},
     call_binary_accuracy, NULL},
    {"linear", AT(linear),
     {{"inputs", BATCH, "BN"}, {"dvalues", MATRIX, "BN"}},
     {{0}},
     {{"output", OUT_MATRIX, "BN"}, {"dinputs", OUT_MATRIX, "BN"}},
     call_linear, NULL},
    {"mean_squared_error", AT(mean_squared_error),
     {{"y_pred", BATCH, "BO"}, {"y_true", MATRIX, "BO"}},
     {{0}},
     {LOSS_OUTPUTS},
     call_mean_squared_error, NULL},
    {"mean_absolute_error", AT(mean_absolute_error),
     {{"y_pred", BATCH, "BO"}, {"y_true", MATRIX, "BO"}},
     {{0}},
     {LOSS_OUTPUTS},
     call_mean_absolute_error, NULL},
    {"regression_accuracy", AT(regression_accuracy),
     {{"y_pred", BATCH, "BO"}, {"y_true", MATRIX, "BO"}, {"precision", FACTOR, ""}},
     {{0}},
     {{"accuracy", OUT_REAL, ""}},
     call_regression_accuracy, NULL},
    {"sgd_step", AT(sgd_step),
     {LAYER_INPUTS, MOMENTUMS(MATRIX, VECTOR), ITERATIONS, HYPER("learning_rate"),
      HYPER("decay"), HYPER("momentum")},
     {{0}},
     {{"weights", OUT_MATRIX, "KN"}, {"biases", OUT_VECTOR, "N"},
      MOMENTUMS(OUT_MATRIX, OUT_VECTOR), STEP_OUTPUTS},
     call_step, NULL},
    {"adagrad_step", AT(adagrad_step),
     {LAYER_INPUTS, CACHE(MATRIX, VECTOR), ITERATIONS, HYPER("learning_rate"), HYPER("decay"),
      HYPER("epsilon")},
     {{0}},
     {{"weights", OUT_MATRIX, "KN"}, {"biases", OUT_VECTOR, "N"}, CACHE(OUT_MATRIX, OUT_VECTOR),
      STEP_OUTPUTS},
     call_step, NULL},
    {"rmsprop_step", AT(rmsprop_step),
     {LAYER_INPUTS, CACHE(MATRIX, VECTOR), ITERATIONS, HYPER("learning_rate"), HYPER("decay"),
      HYPER("epsilon"), HYPER("rho")},
     {{0}},
     {{"weights", OUT_MATRIX, "KN"}, {"biases", OUT_VECTOR, "N"}, CACHE(OUT_MATRIX, OUT_VECTOR),
      STEP_OUTPUTS},
     call_step, NULL},
    {"adam_step", AT(adam_step),
     {LAYER_INPUTS, MOMENTUMS(MATRIX, VECTOR), CACHE(MATRIX, VECTOR), ITERATIONS,
      HYPER("learning_rate"), HYPER("decay"), HYPER("epsilon"), HYPER("beta_1"),
      HYPER("beta_2")},
     {{0}},
     {{"weights", OUT_MATRIX, "KN"}, {"biases", OUT_VECTOR, "N"},
      MOMENTUMS(OUT_MATRIX, OUT_VECTOR), CACHE(OUT_MATRIX, OUT_VECTOR), STEP_OUTPUTS},
     call_step, NULL},
    {"shared_optimizer", AT(shared_optimizer),
     {{"weights1", MATRIX, "KH"}, {"biases1", VECTOR, "H"}, {"weights2", MATRIX, "HC"},
      {"biases2", VECTOR, "C"}, {"dweights1", MATRIX, "KH"}, {"dbiases1", VECTOR, "H"},
      {"dweights2", MATRIX, "HC"}, {"dbiases2", VECTOR, "C"}, {"steps", COUNT_1, ""},
      HYPER("learning_rate"), HYPER("decay"), HYPER("epsilon"), HYPER("beta_1"),
      HYPER("beta_2")},
     {{0}},
     {TWO_LAYER_OUTPUTS},
     call_shared_optimizer, NULL},
    {"training", AT(training),
     {{"inputs", BATCH, "BK"}, {"weights1", MATRIX, "KH"}, {"biases1", VECTOR, "H"},
      {"weights2", MATRIX, "HC"}, {"biases2", VECTOR, "C"}, {"y_true", LABELS, "BC"},
      {"steps", COUNT_1, "S"}, HYPER("learning_rate"), HYPER("decay"), HYPER("momentum"),
      HYPER("epsilon"), HYPER("rho"), HYPER("beta_1"), HYPER("beta_2")},
     {LABEL_FORMAT_PARAM, {"optimizer", OPTIMIZER}},
     {{"loss", OUT_VECTOR, "S"}, {"accuracy", OUT_VECTOR, "S"},
      {"learning_rate", OUT_VECTOR, "S"}, {"weights1", OUT_MATRICES, "SKH"},
      {"biases1", OUT_VECTORS, "SH"}, {"weights2", OUT_MATRICES, "SHC"},
      {"biases2", OUT_VECTORS, "SC"}},
     call_training, NULL},
    {"model_training", AT(model_training),
     {TWO_LAYERS, {"y_true", LABELS, "BC"}, {"validation_inputs", BATCH, "MK"},
      {"validation_y_true", LABELS, "MC"}, {"epochs", COUNT_1, "E"}, {"batch_size", COUNT_1, ""},
      {"weight_regularizer_l1", FACTOR, ""}, {"weight_regularizer_l2", FACTOR, ""},
      {"bias_regularizer_l1", FACTOR, ""}, {"bias_regularizer_l2", FACTOR, ""},
      HYPER("learning_rate"), HYPER("decay"), HYPER("momentum"), HYPER("epsilon"), HYPER("rho"),
      HYPER("beta_1"), HYPER("beta_2")},
     {LABEL_FORMAT_PARAM, {"optimizer", OPTIMIZER}},
     {{"loss", OUT_VECTOR, "E"}, {"data_loss", OUT_VECTOR, "E"},
      {"regularization_loss", OUT_VECTOR, "E"}, {"accuracy", OUT_VECTOR, "E"},
      {"learning_rate", OUT_VECTOR, "E"}, {"validation_loss", OUT_VECTOR, "E"},
      {"validation_accuracy", OUT_VECTOR, "E"}, TWO_LAYER_OUTPUTS},
     call_model_training, NULL},
    {"preprocess", AT(preprocess),
     {{"images", BYTES, "BHW"}, {"labels", INTEGERS, "B"}, {"keys", KEYS, "B"}},
     {{0}},
     {{"x", OUT_MATRIX, "BP"}, {"y", OUT_INTEGERS, "B"}},
     call_preprocess, prepare_preprocess},
    {"batches", AT(batches),
     {{"inputs", BATCH, "BK"}, {"batch_size", COUNT_1, ""}},
     {{0}},
     {{"steps", OUT_NUMBER, ""}, {"batch_sizes", OUT_INDICES, "S"},
      {"first_rows", OUT_MATRIX, "SK"}, {"last_rows", OUT_MATRIX, "SK"}},
     call_batches, prepare_batches},
    {"predictions", AT(predictions),
     {{"inputs", BATCH, "BN"}},
     {{"activation", ACTIVATION}},
     {{"predictions", OUT_PREDICTIONS, "BN"}},
     call_predictions, NULL},
    {"evaluate", AT(evaluate),
     {{"y_pred", BATCH, "BC"}, {"y_true", LABELS, "BC"}, {"batch_size", COUNT_1, ""}},
     {LABEL_FORMAT_PARAM},
     {{"loss", OUT_REAL, ""}, {"accuracy", OUT_REAL, ""}},
     call_evaluate, NULL},
    {"parameters", AT(parameters),
     {TWO_LAYERS},
     {{0}},
     {TWO_LAYER_OUTPUTS, {"output", OUT_MATRIX, "BC"}},
     call_parameters, NULL},
    {"rng", AT(rng),
     {{"seed", INTEGER, ""}, {"calls", PAIRS, ""}},
     {{0}},
     {{"values", OUT_DOUBLES, "V"}},
     call_rng, prepare_rng},
    {"datasets", AT(datasets),
     {{"seed", INTEGER, ""}, {"samples", INTEGER, ""}, {"classes", INTEGER, ""}},
     {{"dataset", DATASET}},
     {{"x", OUT_DMATRIX, "RX"}, {"y", OUT_DATASET_Y, "R"}},
     call_datasets, prepare_datasets},
    {"init", AT(init),
     {{"seed", INTEGER, ""}, {"skip", INTEGER, ""}, {"shapes", PAIRS, ""}},
     {{"scale", NULL}},
     {{"weights", OUT_DOUBLES, "W"}},
     call_init, prepare_init},
    {"shuffle", AT(shuffle),
     {{"seed", INTEGER, ""}, {"samples", INTEGER, ""}},
     {{0}},
     {{"keys", OUT_INDICES, "N"}},
     call_shuffle, prepare_shuffle},
    {"chapters", AT(chapters),
     {{"seed", INTEGER, ""}, {"samples", INTEGER, ""}, {"classes", INTEGER, ""},
      {"hidden", INTEGER, ""}, {"steps", INTEGER, ""}},
     {{"printed", PRINTED}, {"optimizer", OPTIMIZER}, {"learning_rate", NULL},
      {"decay", NULL}, {"momentum", NULL}},
     {{"value", OUT_PRINTED, "PQ"}},
     call_chapters, prepare_chapters},
};

#define STAGE_COUNT (sizeof STAGES / sizeof STAGES[0])

static bool declared(const nnfs_stages *stages, const Stage *stage) {
    void (*function)(void);
    memcpy(&function, (const char *)stages + stage->offset, sizeof function);
    return function != NULL;
}

void kit_stage_names(const nnfs_stages *stages, Buffer *out) {
    buffer_add(out, "[", 1);
    bool first = true;
    for (size_t i = 0; i < STAGE_COUNT; i++) {
        if (!declared(stages, &STAGES[i]))
            continue;
        if (!first)
            buffer_add(out, ",", 1);
        buffer_string(out, STAGES[i].name);
        first = false;
    }
    buffer_add(out, "]", 1);
}

/* ------------------------------------------------------------------------------------------
 * One run message */

static void read_params(Request *r, const cJSON *params) {
    for (size_t i = 0; i < MAX_PARAMS && r->stage->params[i].name != NULL; i++) {
        const ParamSpec *spec = &r->stage->params[i];
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(params, spec->name);
        if (spec->choices == NULL) {
            if (!cJSON_IsNumber(value))
                kit_die("%s needs a numeric params.%s", r->stage->name, spec->name);
            r->param[i] = value->valuedouble;
            continue;
        }
        if (!cJSON_IsString(value))
            kit_die("%s needs params.%s, a string", r->stage->name, spec->name);
        int c = 0;
        while (spec->choices[c] != NULL && strcmp(spec->choices[c], value->valuestring) != 0)
            c++;
        if (spec->choices[c] == NULL)
            kit_die("unknown params.%s \"%.100s\" for %s", spec->name, value->valuestring,
                    r->stage->name);
        r->choice[i] = c;
    }
}

static void reply_error(Buffer *reply, const char *kind, const char *message) {
    if (strcmp(kind, "unsupported") == 0) {
        buffer_text(reply, ",\"unsupported\":");
        buffer_string(reply, message);
        return;
    }
    buffer_text(reply, ",\"error\":{\"kind\":");
    buffer_string(reply, kind);
    buffer_text(reply, ",\"message\":");
    buffer_string(reply, message);
    buffer_text(reply, "}");
}

void kit_run(const nnfs_stages *stages, const cJSON *message, Buffer *reply) {
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(message, "seq");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(message, "stage");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(message, "inputs");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(message, "params");
    if (!cJSON_IsNumber(seq) || !isfinite(seq->valuedouble))
        kit_die("a run message needs a numeric seq");
    if (!cJSON_IsString(name) || !cJSON_IsObject(inputs))
        kit_die("a run message needs a stage (a string) and inputs (an object)");
    const Stage *stage = STAGES;
    while (stage < STAGES + STAGE_COUNT && strcmp(stage->name, name->valuestring) != 0)
        stage++;
    if (stage == STAGES + STAGE_COUNT)
        kit_die("unknown stage \"%.100s\"", name->valuestring);
    if (!declared(stages, stage))
        kit_die("a run for stage \"%s\", which this port does not declare", stage->name);

    Request r = {.stage = stage, .inputs = inputs};
    for (size_t i = 0; i < LETTERS; i++)
        r.letter[i] = UNBOUND;
    read_params(&r, params);
    buffer_text(reply, "{\"seq\":");
    buffer_number(reply, seq->valuedouble);

    Value in[MAX_INPUTS] = {{0}}, out[MAX_OUTPUTS] = {{0}};
    Want want[MAX_OUTPUTS] = {{{0}}};
    bool ok = true;
    for (size_t i = 0; ok && i < MAX_INPUTS && stage->inputs[i].name != NULL; i++)
        ok = read_input(&r, &stage->inputs[i], &in[i]);
    if (ok && stage->prepare != NULL)
        ok = stage->prepare(&r, in);
    if (ok) {
        size_t count = 0;
        for (; count < MAX_OUTPUTS && stage->outputs[count].name != NULL; count++)
            allocate_output(&r, &stage->outputs[count], &out[count], &want[count]);
        verdict = DONE;
        bool done = stage->call(stages, &r, in, out);
        if (verdict == FAILED)
            ok = refuse(&r, "exception", "%s", verdict_message);
        else if (verdict == DECLINED)
            ok = refuse(&r, "unsupported", "%s", verdict_message);
        else if (!done)
            ok = refuse(&r, "exception", "%s returned false without a message: call "
                        "nnfs_fail(\"...\") to say why", stage->name);
        for (size_t i = 0; i < count; i++) /* batches binds S from what it returned */
            want_of(&r, &stage->outputs[i], &want[i]);
        for (size_t i = 0; ok && i < count; i++)
            ok = output_fits(&r, &stage->outputs[i], &out[i], &want[i]);
        if (ok) {
            buffer_text(reply, ",\"outputs\":{");
            for (size_t i = 0; i < count; i++) {
                if (i > 0)
                    buffer_add(reply, ",", 1);
                write_output(reply, &r, &stage->outputs[i], &out[i], &want[i]);
            }
            buffer_text(reply, "}");
        }
    }
    if (!ok)
        reply_error(reply, r.kind, r.message);
    buffer_text(reply, "}");
    for (size_t i = 0; i < r.allocated; i++)
        free(r.allocations[i]);
    free(r.allocations);
}
