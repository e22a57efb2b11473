/* The kit's own tests: JSON numbers in and out, strings, the input checks and the learner's
 * verdicts, answered in-process by kit_answer. `make test` runs them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

static int failures = 0;

#define CHECK(condition, ...)                                                                 \
    do {                                                                                      \
        if (!(condition)) {                                                                   \
            failures++;                                                                       \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, __func__);                     \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
        }                                                                                     \
    } while (0)

/* A learner: dense_batch and relu compute; the others misbehave on purpose. */
static bool dense_batch(Matrix inputs, Matrix weights, Vector biases, Matrix output) {
    for (size_t b = 0; b < inputs.rows; b++)
        for (size_t n = 0; n < biases.len; n++) {
            nnfs_real total = 0;
            for (size_t k = 0; k < inputs.cols; k++)
                total += row(inputs, b)[k] * row(weights, k)[n];
            row(output, b)[n] = total + biases.values[n];
        }
    return true;
}

static bool relu(Matrix inputs, Matrix output) {
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++)
        output.values[i] = inputs.values[i] > 0 ? inputs.values[i] : 0;
    return true;
}

static bool softmax(Matrix inputs, Matrix output) {
    (void)output;
    return nnfs_fail("softmax saw %zu rows and gave up", inputs.rows);
}

static bool neuron(Vector inputs, Vector weights, nnfs_real bias, nnfs_real *output) {
    (void)inputs, (void)weights, (void)bias, (void)output;
    return false; /* without a message */
}

static bool sgd_step(Layer *layer, size_t iterations, Optimizer optimizer, nnfs_real *rate) {
    (void)layer, (void)iterations, (void)optimizer, (void)rate;
    return nnfs_unsupported("Optimizer_SGD is not written yet");
}

static nnfs_real wrong[1];
static bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues,
                           DenseGradients *output) {
    (void)inputs, (void)weights, (void)dvalues;
    output->dbiases = (Vector){1, wrong}; /* a new array of the wrong length */
    return true;
}

static bool dropout(Matrix inputs, Matrix mask, nnfs_real rate, Matrix dvalues, Passes *out) {
    (void)inputs, (void)mask, (void)rate, (void)dvalues, (void)out;
    return true;
}

static bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output) {
    for (size_t b = 0; b < y_pred.rows; b++)
        output->sample_losses.values[b] = (nnfs_real)nnfs_label(y_true, b);
    return true;
}

static bool chapters(uint32_t seed, size_t samples, size_t classes, size_t hidden, size_t steps,
                     Printed printed, OptimizerKind optimizer, double learning_rate,
                     double decay, double momentum, double *value) {
    /* echoes what it was given, into the value's shape */
    if (printed == PRINTED_LEARNING_RATE) {
        *value = learning_rate + decay + momentum;
        return true;
    }
    if (printed == PRINTED_DENSE1_OUTPUT) { /* the first min(5, samples * classes) rows */
        size_t rows = samples * classes < 5 ? samples * classes : 5;
        for (size_t i = 0; i < rows * hidden; i++)
            value[i] = (double)i;
        return true;
    }
    if (printed == PRINTED_DWEIGHTS2 && hidden * classes == 6) {
        double given[] = {seed, (double)samples, (double)classes, (double)hidden, (double)steps,
                          optimizer};
        memcpy(value, given, sizeof given);
        return true;
    }
    return nnfs_fail("printed %d is not echoed", (int)printed);
}

static bool shuffle(uint32_t seed, size_t samples, size_t *keys) {
    for (size_t i = 0; i < samples; i++) /* reversed, then the seed in front */
        keys[i] = samples - 1 - i;
    if (samples > 0)
        keys[0] = seed;
    return true;
}

static bool repeated_forward(Matrix inputs1, Matrix inputs2, Matrix weights, Vector biases,
                             Matrix dvalues, RepeatedForward *output) {
    /* marks each output with its number, so a reply shows the shape each was given */
    (void)inputs1, (void)inputs2, (void)weights, (void)biases, (void)dvalues;
    Matrix marked[] = {output->output1, output->output2, output->dweights, output->dinputs};
    for (size_t m = 0; m < 4; m++)
        for (size_t i = 0; i < marked[m].rows * marked[m].cols; i++)
            marked[m].values[i] = (nnfs_real)(m + 1);
    for (size_t i = 0; i < output->dbiases.len; i++)
        output->dbiases.values[i] = 5;
    return true;
}

static bool regression_accuracy(Matrix y_pred, Matrix y_true, nnfs_real precision,
                                nnfs_real *accuracy) {
    (void)y_pred, (void)y_true;
    *accuracy = precision;
    return true;
}

static bool shared_optimizer(Layer *layer1, Layer *layer2, size_t steps, Optimizer optimizer) {
    /* adds steps + beta_2 to each parameter, once each layer's Adam state is seen zeroed and
     * in its parameters' shapes */
    Layer *layers[] = {layer1, layer2};
    for (size_t l = 0; l < 2; l++) {
        Layer *layer = layers[l];
        size_t count = layer->weights.rows * layer->weights.cols;
        if (layer->weight_momentums.rows != layer->weights.rows ||
            layer->weight_cache.cols != layer->weights.cols ||
            layer->bias_momentums.len != layer->biases.len ||
            layer->bias_cache.len != layer->biases.len ||
            layer->dweights.rows != layer->weights.rows || layer->dbiases.len != layer->biases.len)
            return nnfs_fail("layer %zu: the state is not in the parameters' shapes", l + 1);
        for (size_t i = 0; i < count; i++) {
            if (layer->weight_momentums.values[i] != 0 || layer->weight_cache.values[i] != 0)
                return nnfs_fail("layer %zu: the state is not zeroed", l + 1);
            layer->weights.values[i] += (nnfs_real)steps + optimizer.beta_2;
        }
        for (size_t i = 0; i < layer->biases.len; i++) {
            if (layer->bias_momentums.values[i] != 0 || layer->bias_cache.values[i] != 0)
                return nnfs_fail("layer %zu: the state is not zeroed", l + 1);
            layer->biases.values[i] += (nnfs_real)steps + optimizer.beta_2;
        }
    }
    return true;
}

static bool preprocess(Images images, const int64_t *labels, const size_t *keys,
                       Preprocessed *output) {
    /* the bytes unscaled, in the keys' order */
    size_t pixels = images.height * images.width;
    for (size_t i = 0; i < images.count; i++) {
        for (size_t p = 0; p < pixels; p++)
            row(output->x, i)[p] = images.pixels[keys[i] * pixels + p];
        output->y[i] = labels[keys[i]];
    }
    return true;
}

static size_t extra_steps; /* a learner that takes more steps than it should */

static bool batches(Matrix inputs, size_t batch_size, Batches *output) {
    output->steps = (inputs.rows + batch_size - 1) / batch_size + extra_steps;
    for (size_t s = 0; s < output->steps && s * batch_size < inputs.rows; s++) {
        size_t first = s * batch_size, end = first + batch_size;
        if (end > inputs.rows)
            end = inputs.rows;
        output->batch_sizes[s] = end - first;
        for (size_t k = 0; k < inputs.cols; k++) {
            row(output->first_rows, s)[k] = row(inputs, first)[k];
            row(output->last_rows, s)[k] = row(inputs, end - 1)[k];
        }
    }
    return true;
}

static bool predictions(Matrix inputs, OutputActivation activation, Predictions *output) {
    for (size_t b = 0; b < inputs.rows; b++) {
        for (size_t n = 0; n < inputs.cols; n++) {
            nnfs_real x = row(inputs, b)[n];
            if (activation == SOFTMAX && x > row(inputs, b)[output->classes[b]])
                output->classes[b] = n;
            if (activation == SIGMOID)
                output->binary.values[b * inputs.cols + n] = x > 0.5;
            if (activation == LINEAR)
                row(output->values, b)[n] = x;
        }
    }
    return true;
}

static bool evaluate(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output) {
    (void)y_pred;
    output->loss = (nnfs_real)batch_size;
    output->accuracy = (nnfs_real)nnfs_label(y_true, 0);
    return true;
}

static bool model_training(Matrix inputs, Labels y_true, Matrix validation_inputs,
                           Labels validation_y_true, Matrix weights1, Vector biases1,
                           Matrix weights2, Vector biases2, size_t epochs, size_t batch_size,
                           Regularizers regularizers, OptimizerKind kind, Optimizer optimizer,
                           ModelTraining *output) {
    /* echoes what it was given: per epoch e, the loss is e, the validation loss M, the
     * validation accuracy the first validation label; the rest of the record from the params */
    (void)inputs, (void)y_true, (void)weights2, (void)biases2;
    for (size_t e = 0; e < epochs; e++) {
        output->loss.values[e] = (nnfs_real)e;
        output->data_loss.values[e] = (nnfs_real)batch_size;
        output->regularization_loss.values[e] = regularizers.weight_l2;
        output->accuracy.values[e] = (nnfs_real)kind;
        output->learning_rate.values[e] = optimizer.rho;
        output->validation_loss.values[e] = (nnfs_real)validation_inputs.rows;
        output->validation_accuracy.values[e] = (nnfs_real)nnfs_label(validation_y_true, 0);
    }
    output->weights1.values[0] = weights1.values[0];
    output->biases1.values[0] = biases1.values[0];
    return true;
}

static const nnfs_port PORT = {
    .name = "test",
    .stages = {.neuron = neuron, .dense_batch = dense_batch, .relu = relu, .softmax = softmax,
               .categorical_crossentropy = categorical_crossentropy,
               .dense_backward = dense_backward, .repeated_forward = repeated_forward,
               .dropout = dropout, .regression_accuracy = regression_accuracy,
               .sgd_step = sgd_step, .shared_optimizer = shared_optimizer,
               .model_training = model_training, .preprocess = preprocess,
               .batches = batches, .predictions = predictions, .evaluate = evaluate,
               .shuffle = shuffle, .chapters = chapters}};

static char *answer(const char *line) {
    static Buffer reply;
    reply.len = 0;
    kit_answer(&PORT, line, strlen(line), &reply);
    return reply.text;
}

static char *run(const char *stage, const char *inputs, const char *params) {
    char line[2000];
    snprintf(line, sizeof line,
             "{\"cmd\":\"run\",\"seq\":7,\"stage\":\"%s\",\"inputs\":%s,\"params\":%s}", stage,
             inputs, params);
    return answer(line);
}

static void expect_kind(const char *stage, const char *inputs, const char *params,
                        const char *kind) {
    char *reply = run(stage, inputs, params);
    char wanted[100];
    snprintf(wanted, sizeof wanted, "\"kind\":\"%s\"", kind);
    CHECK(strstr(reply, wanted) != NULL, "%s %s: wanted %s, got %s", stage, inputs, kind, reply);
}

static const char *text_of(double x) {
    static Buffer b;
    b.len = 0;
    buffer_number(&b, x);
    return b.text;
}

static void test_numbers_print_as_the_shortest_text_that_reads_back(void) {
    const struct {
        double x;
        const char *text;
    } cases[] = {{0.1, "0.1"},
                 {1e23, "1e+23"},
                 {5e-324, "5e-324"},
                 {2.2250738585072009e-308, "2.225073858507201e-308"},
                 {-0.0, "-0"},
                 {(double)0.1f, "0.10000000149011612"},
                 {1.0 / 3, "0.3333333333333333"},
                 {9007199254740992.0, "9007199254740992"},
                 {2, "2"},
                 {-37, "-37"},
                 {0.0, "0"},
                 {999999999999999.0, "999999999999999"},
                 {1e15, "1e+15"},
                 {-1e300, "-1e+300"},
                 {123456.789, "123456.789"},
                 {NAN, "\"NaN\""},
                 {INFINITY, "\"Infinity\""},
                 {-INFINITY, "\"-Infinity\""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(strcmp(text_of(cases[i].x), cases[i].text) == 0, "%.17g printed %s, wanted %s",
              cases[i].x, text_of(cases[i].x), cases[i].text);
}

static void test_every_double_reads_back_from_its_text(void) {
    srand(1);
    for (int i = 0; i < 200000; i++) {
        unsigned long long bits = 0;
        for (int j = 0; j < 4; j++)
            bits = bits << 16 | (unsigned long long)(rand() & 0xFFFF);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        char text[32];
        shortest(x, text);
        double back = strtod(text, NULL);
        CHECK(memcmp(&back, &x, sizeof x) == 0, "%s reads back as %.17g, not %.17g", text, back,
              x);
    }
}

static void test_hard_numbers_parse_to_the_nearest_double(void) {
    cJSON *json = cJSON_Parse("[5e-324, 1e+23, 9007199254740993, 2.2250738585072011e-308, "
                              "\"NaN\", \"-Infinity\", 0.1]");
    double want[] = {4.9406564584124654e-324, 1e23, 9007199254740992.0,
                     2.2250738585072009e-308, NAN, -INFINITY, 0.1};
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        double x;
        CHECK(json_number(item, &x), "item %zu is not a number", i);
        CHECK(memcmp(&x, &want[i], sizeof x) == 0 || (isnan(x) && isnan(want[i])),
              "item %zu parsed as %.17g, wanted %.17g", i, x, want[i]);
        i++;
    }
    cJSON_Delete(json);
}

static void test_strings_are_escaped_and_bad_utf8_replaced(void) {
    Buffer b = {0};
    buffer_string(&b, "a\"b\\c\n\x01 é \xff\xc3");
    CHECK(strcmp(b.text, "\"a\\\"b\\\\c\\u000a\\u0001 é \\ufffd\\ufffd\"") == 0, "got %s",
          b.text);
    free(b.text);
}

static void test_hello_lists_exactly_the_declared_stages(void) {
    char *reply = answer("{\"cmd\":\"hello\",\"protocol\":1}");
    CHECK(strstr(reply, "\"stages\":[\"neuron\",\"dense_batch\",\"relu\",\"softmax\","
                        "\"categorical_crossentropy\",\"dense_backward\","
                        "\"repeated_forward\",\"dropout\",\"regression_accuracy\","
                        "\"sgd_step\",\"shared_optimizer\",\"model_training\","
                        "\"preprocess\",\"batches\","
                        "\"predictions\",\"evaluate\",\"shuffle\",\"chapters\"]") != NULL &&
              strstr(reply, "\"checks_inputs\":true") != NULL &&
              strstr(reply, "\"dtype\":\"" NNFS_DTYPE "\"") != NULL,
          "got %s", reply);
}

static void test_invalid_inputs_get_their_kind_before_the_learner_runs(void) {
    const char *layout = "{\"weights_layout\":\"inputs_neurons\"}";
    expect_kind("dense_batch", "{\"inputs\":[],\"weights\":[[1]],\"biases\":[1]}", layout,
                "empty_batch");
    expect_kind("dense_batch", "{\"inputs\":[[1,2],[3]],\"weights\":[[1]],\"biases\":[1]}",
                layout, "ragged_rows");
    expect_kind("dense_batch", "{\"inputs\":[[1]],\"weights\":[[1,2]],\"biases\":[1]}", layout,
                "shape_mismatch");
    expect_kind("dense_batch", "{\"inputs\":[1,2],\"weights\":[[1]],\"biases\":[1]}", layout,
                "shape_mismatch");
    expect_kind("relu", "{\"inputs\":[[[1]]]}", "{}", "shape_mismatch");
    const char *sparse = "{\"label_format\":\"sparse\"}";
    const char *onehot = "{\"label_format\":\"onehot\"}";
    expect_kind("categorical_crossentropy", "{\"y_pred\":[[0.5,0.5]],\"y_true\":[2]}", sparse,
                "label_out_of_range");
    expect_kind("categorical_crossentropy", "{\"y_pred\":[[0.5,0.5]],\"y_true\":[0.5]}", sparse,
                "invalid_label");
    expect_kind("categorical_crossentropy", "{\"y_pred\":[[0.5,0.5]],\"y_true\":[true]}",
                sparse, "invalid_label");
    expect_kind("categorical_crossentropy", "{\"y_pred\":[[0.5,0.5]],\"y_true\":[[1,1]]}",
                onehot, "invalid_label");
    expect_kind("categorical_crossentropy", "{\"y_pred\":[[0.5,0.5]],\"y_true\":[0,1]}", sparse,
                "shape_mismatch");
    const char *dropout = "{\"inputs\":[[1]],\"mask\":[[%s]],\"dvalues\":[[1]],\"rate\":%s}";
    char inputs[200];
    snprintf(inputs, sizeof inputs, dropout, "1", "1");
    expect_kind("dropout", inputs, "{}", "invalid_value");
    snprintf(inputs, sizeof inputs, dropout, "0.5", "0.5");
    expect_kind("dropout", inputs, "{}", "invalid_value");
    snprintf(inputs, sizeof inputs, dropout, "true", "0.5");
    expect_kind("dropout", inputs, "{}", "invalid_value");
    expect_kind("sgd_step",
                "{\"weights\":[[1]],\"biases\":[1],\"dweights\":[[1]],\"dbiases\":[1],"
                "\"weight_momentums\":[[0]],\"bias_momentums\":[0],\"iterations\":1.5,"
                "\"learning_rate\":1,\"decay\":0,\"momentum\":0}",
                "{}", "invalid_value");
}

static void test_neurons_inputs_weights_reach_the_learner_as_layer_dense_weights(void) {
    /* weights [[1,2],[3,4]] as per-neuron rows: output = [1*1+1*2, 1*3+1*4] */
    char *reply = run("dense_batch", "{\"inputs\":[[1,1]],\"weights\":[[1,2],[3,4]],"
                      "\"biases\":[0,0.5]}", "{\"weights_layout\":\"neurons_inputs\"}");
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"output\":[[3,7.5]]}}") == 0, "got %s",
          reply);
}

static void test_a_rank_1_relu_input_comes_back_rank_1(void) {
    char *reply = run("relu", "{\"inputs\":[-1,\"Infinity\",5e-324]}", "{}");
    const char *want = sizeof(nnfs_real) == sizeof(double)
                           ? "{\"seq\":7,\"outputs\":{\"output\":[0,\"Infinity\",5e-324]}}"
                           : "{\"seq\":7,\"outputs\":{\"output\":[0,\"Infinity\",0]}}";
    CHECK(strcmp(reply, want) == 0, "got %s", reply);
}

static void test_both_label_formats_give_the_learner_class_indices(void) {
    char *reply = run("categorical_crossentropy",
                      "{\"y_pred\":[[0.5,0.5],[0.5,0.5]],\"y_true\":[[0,1],[1,0]]}",
                      "{\"label_format\":\"onehot\"}");
    CHECK(strstr(reply, "\"sample_losses\":[1,0]") != NULL, "got %s", reply);
}

static void test_learner_verdicts_become_exception_or_unsupported(void) {
    char *reply = run("softmax", "{\"inputs\":[[1,2]]}", "{}");
    CHECK(strcmp(reply, "{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"softmax "
                        "saw 1 rows and gave up\"}}") == 0, "got %s", reply);
    reply = run("neuron", "{\"inputs\":[1],\"weights\":[1],\"bias\":0}", "{}");
    CHECK(strstr(reply, "\"kind\":\"exception\"") && strstr(reply, "without a message"),
          "got %s", reply);
    reply = run("sgd_step",
                "{\"weights\":[[1]],\"biases\":[1],\"dweights\":[[1]],\"dbiases\":[1],"
                "\"weight_momentums\":[[0]],\"bias_momentums\":[0],\"iterations\":0,"
                "\"learning_rate\":1,\"decay\":0,\"momentum\":0}", "{}");
    CHECK(strcmp(reply, "{\"seq\":7,\"unsupported\":\"Optimizer_SGD is not written yet\"}") ==
              0, "got %s", reply);
}

static void test_a_wrong_shaped_output_is_an_exception_naming_it(void) {
    char *reply = run("dense_backward", "{\"inputs\":[[1,2]],\"weights\":[[1,2],[3,4]],"
                      "\"dvalues\":[[1,1]]}", "{}");
    CHECK(strstr(reply, "\"kind\":\"exception\"") && strstr(reply, "dense_backward returned "
                                                                    "dbiases of 1 values"),
          "got %s", reply);
}

static void test_shuffle_gets_one_key_per_sample(void) {
    char *reply = run("shuffle", "{\"seed\":4294967295,\"samples\":3}", "{}");
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"keys\":[4294967295,1,0]}}") == 0, "got %s",
          reply);
    reply = run("shuffle", "{\"seed\":0,\"samples\":0}", "{}");
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"keys\":[]}}") == 0, "got %s", reply);
    expect_kind("shuffle", "{\"seed\":0.5,\"samples\":3}", "{}", "shape_mismatch");
    expect_kind("shuffle", "{\"seed\":0,\"samples\":\"3\"}", "{}", "shape_mismatch");
}

static void test_chapters_gets_its_params_and_a_value_in_the_printed_shape(void) {
    const char *script = "{\"seed\":7,\"samples\":%s,\"classes\":3,\"hidden\":%s,\"steps\":1}";
    const char *params = "{\"printed\":\"%s\",\"optimizer\":\"adam\",\"learning_rate\":0.5,"
                         "\"decay\":0.25,\"momentum\":0.125}";
    char inputs[200], printed[200];
    snprintf(inputs, sizeof inputs, script, "100", "2");
    snprintf(printed, sizeof printed, params, "dweights2");
    char *reply = run("chapters", inputs, printed);
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"value\":[[7,100,3],[2,1,3]]}}") == 0,
          "got %s", reply);
    snprintf(printed, sizeof printed, params, "learning_rate");
    reply = run("chapters", inputs, printed);
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"value\":0.875}}") == 0, "got %s", reply);
    snprintf(printed, sizeof printed, params, "dense1_output");
    reply = run("chapters", inputs, printed);
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"value\":[[0,1],[2,3],[4,5],[6,7],"
                        "[8,9]]}}") == 0, "got %s", reply);
    snprintf(inputs, sizeof inputs, script, "1", "2"); /* 3 rows in all, fewer than 5 */
    reply = run("chapters", inputs, printed);
    CHECK(strcmp(reply, "{\"seq\":7,\"outputs\":{\"value\":[[0,1],[2,3],[4,5]]}}") == 0,
          "got %s", reply);
    snprintf(inputs, sizeof inputs, script, "100", "1.5");
    expect_kind("chapters", inputs, printed, "shape_mismatch");
    snprintf(inputs, sizeof inputs, script, "-1", "2");
    expect_kind("chapters", inputs, printed, "shape_mismatch");
}

static void expect_reply(const char *stage, const char *inputs, const char *params,
                         const char *outputs) {
    char *reply = run(stage, inputs, params);
    char wanted[1000];
    snprintf(wanted, sizeof wanted, "{\"seq\":7,\"outputs\":%s}", outputs);
    CHECK(strcmp(reply, wanted) == 0, "%s %s: wanted %s, got %s", stage, inputs, wanted, reply);
}

static void test_images_are_bytes_reaching_the_learner_flat_with_the_keys(void) {
    /* two 2 x 2 images: x is B x (H·W), rows in the keys' order; y the labels in that order */
    expect_reply("preprocess", "{\"images\":[[[0,1],[2,3]],[[252,253],[254,255]]],"
                 "\"labels\":[-7,9007199254740992],\"keys\":[1,0]}", "{}",
                 "{\"x\":[[252,253,254,255],[0,1,2,3]],\"y\":[9007199254740992,-7]}");
    const char *image = "{\"images\":[[[0,%s]]],\"labels\":[1],\"keys\":[0]}";
    const char *not_bytes[] = {"256", "-1", "1.5", "true", "\"NaN\"", "[1]", "null"};
    char inputs[200];
    for (size_t i = 0; i < sizeof not_bytes / sizeof not_bytes[0]; i++) {
        snprintf(inputs, sizeof inputs, image, not_bytes[i]);
        expect_kind("preprocess", inputs, "{}", i == 5 ? "ragged_rows" : "invalid_value");
    }
    expect_kind("preprocess", "{\"images\":[],\"labels\":[],\"keys\":[]}", "{}",
                "empty_batch");
    expect_kind("preprocess", "{\"images\":[[0,1]],\"labels\":[1],\"keys\":[0]}", "{}",
                "shape_mismatch");
    expect_kind("preprocess", "{\"images\":[[[0]],[[1]]],\"labels\":[1],\"keys\":[0,1]}",
                "{}", "shape_mismatch");
    expect_kind("preprocess", "{\"images\":[[[0]]],\"labels\":[1.5],\"keys\":[0]}", "{}",
                "shape_mismatch");
}

static void test_keys_must_be_a_permutation(void) {
    const char *three = "{\"images\":[[[0]],[[1]],[[2]]],\"labels\":[0,1,2],\"keys\":%s}";
    const char *not_permutations[] = {"[0,0,1]", "[0,1,3]", "[0,1,-1]", "[0,1,1.5]",
                                      "[0,1,\"2\"]"};
    char inputs[200];
    for (size_t i = 0; i < sizeof not_permutations / sizeof not_permutations[0]; i++) {
        snprintf(inputs, sizeof inputs, three, not_permutations[i]);
        expect_kind("preprocess", inputs, "{}", "invalid_value");
    }
    snprintf(inputs, sizeof inputs, three, "[0,1]");
    expect_kind("preprocess", inputs, "{}", "shape_mismatch");
    snprintf(inputs, sizeof inputs, three, "[2,0,1.0]");
    expect_reply("preprocess", inputs, "{}", "{\"x\":[[2],[0],[1]],\"y\":[2,0,1]}");
}

static void test_the_predictions_take_the_shape_the_activation_gives(void) {
    const char *outputs = "{\"inputs\":[[0.25,0.75],[0.5,-1.5]]}";
    expect_reply("predictions", outputs, "{\"activation\":\"softmax\"}",
                 "{\"predictions\":[1,0]}");
    expect_reply("predictions", outputs, "{\"activation\":\"sigmoid\"}",
                 "{\"predictions\":[[0,1],[0,0]]}");
    expect_reply("predictions", outputs, "{\"activation\":\"linear\"}",
                 "{\"predictions\":[[0.25,0.75],[0.5,-1.5]]}");
    expect_kind("predictions", "{\"inputs\":[]}", "{\"activation\":\"linear\"}",
                "empty_batch");
    expect_kind("predictions", "{\"inputs\":[0.5]}", "{\"activation\":\"sigmoid\"}",
                "shape_mismatch");
}

static void test_a_second_batch_has_its_own_size(void) {
    /* B = 3, D = 1, K = 2, N = 1: output1 is 3 x 1, output2 and dvalues 1 x 1, dinputs 1 x 2 */
    const char *layer = "\"weights\":[[1],[2]],\"biases\":[0]";
    char inputs[300];
    snprintf(inputs, sizeof inputs, "{\"inputs1\":[[1,2],[3,4],[5,6]],\"inputs2\":[[7,8]],%s,"
             "\"dvalues\":[[1]]}", layer);
    expect_reply("repeated_forward", inputs, "{}",
                 "{\"output1\":[[1],[1],[1]],\"output2\":[[2]],\"dweights\":[[3],[3]],"
                 "\"dbiases\":[5],\"dinputs\":[[4,4]]}");
    snprintf(inputs, sizeof inputs, "{\"inputs1\":[[1,2],[3,4],[5,6]],\"inputs2\":[[7,8]],%s,"
             "\"dvalues\":[[1],[1],[1]]}", layer);
    expect_kind("repeated_forward", inputs, "{}", "shape_mismatch");
    snprintf(inputs, sizeof inputs, "{\"inputs1\":[],\"inputs2\":[[7,8]],%s,"
             "\"dvalues\":[[1]]}", layer);
    expect_kind("repeated_forward", inputs, "{}", "empty_batch");
    snprintf(inputs, sizeof inputs, "{\"inputs1\":[[1,2]],\"inputs2\":[],%s,"
             "\"dvalues\":[[1]]}", layer);
    expect_kind("repeated_forward", inputs, "{}", "empty_batch");
    snprintf(inputs, sizeof inputs, "{\"inputs1\":[[1,2]],\"inputs2\":[[7,8,9]],%s,"
             "\"dvalues\":[[1]]}", layer);
    expect_kind("repeated_forward", inputs, "{}", "shape_mismatch");
}

static void test_batches_reply_with_the_steps_the_learner_takes(void) {
    const char *five = "{\"inputs\":[[0,0],[1,-1],[2,-2],[3,-3],[4,-4]],\"batch_size\":%s}";
    char inputs[200];
    snprintf(inputs, sizeof inputs, five, "2");
    expect_reply("batches", inputs, "{}",
                 "{\"steps\":3,\"batch_sizes\":[2,2,1],\"first_rows\":[[0,0],[2,-2],[4,-4]],"
                 "\"last_rows\":[[1,-1],[3,-3],[4,-4]]}");
    snprintf(inputs, sizeof inputs, five, "64");
    expect_reply("batches", inputs, "{}",
                 "{\"steps\":1,\"batch_sizes\":[5],\"first_rows\":[[0,0]],"
                 "\"last_rows\":[[4,-4]]}");
    snprintf(inputs, sizeof inputs, five, "1");
    extra_steps = 1; /* six steps over five samples */
    char *reply = run("batches", inputs, "{}");
    CHECK(strstr(reply, "\"kind\":\"exception\"") && strstr(reply, "steps = 6"), "got %s",
          reply);
    extra_steps = 0;
    const char *not_sizes[] = {"0", "-4", "2.5", "true", "[2]"};
    for (size_t i = 0; i < sizeof not_sizes / sizeof not_sizes[0]; i++) {
        snprintf(inputs, sizeof inputs, five, not_sizes[i]);
        expect_kind("batches", inputs, "{}", "invalid_value");
    }
    expect_kind("batches", "{\"inputs\":[],\"batch_size\":1}", "{}", "empty_batch");
}

static void test_single_values_of_the_model_stages_are_checked(void) {
    const char *precision = "{\"y_pred\":[[1]],\"y_true\":[[1]],\"precision\":%s}";
    char inputs[300];
    snprintf(inputs, sizeof inputs, precision, "0.25");
    expect_reply("regression_accuracy", inputs, "{}", "{\"accuracy\":0.25}");
    snprintf(inputs, sizeof inputs, precision, "-0.5");
    expect_kind("regression_accuracy", inputs, "{}", "invalid_value");
    snprintf(inputs, sizeof inputs, precision, "\"NaN\"");
    expect_kind("regression_accuracy", inputs, "{}", "invalid_value");
    snprintf(inputs, sizeof inputs, precision, "\"Infinity\"");
    expect_reply("regression_accuracy", inputs, "{}", "{\"accuracy\":\"Infinity\"}");
    snprintf(inputs, sizeof inputs, precision, "[0.5]");
    expect_kind("regression_accuracy", inputs, "{}", "shape_mismatch");
    const char *evaluate = "{\"y_pred\":[[0.5,0.5],[0.5,0.5]],\"y_true\":[1,0],"
                           "\"batch_size\":%s}";
    snprintf(inputs, sizeof inputs, evaluate, "3");
    expect_reply("evaluate", inputs, "{\"label_format\":\"sparse\"}",
                 "{\"loss\":3,\"accuracy\":1}");
    snprintf(inputs, sizeof inputs, evaluate, "0");
    expect_kind("evaluate", inputs, "{\"label_format\":\"sparse\"}", "invalid_value");
    const char *shared = "{\"weights1\":[[1,2]],\"biases1\":[0,0],\"weights2\":[[1],[2]],"
                         "\"biases2\":[0],\"dweights1\":[[1,1]],\"dbiases1\":[1,1],"
                         "\"dweights2\":[[1],[1]],\"dbiases2\":[1],\"steps\":%s,"
                         "\"learning_rate\":0.001,\"decay\":0,\"epsilon\":1e-7,"
                         "\"beta_1\":0.9,\"beta_2\":0.5}";
    snprintf(inputs, sizeof inputs, shared, "2");
    expect_reply("shared_optimizer", inputs, "{}",
                 "{\"weights1\":[[3.5,4.5]],\"biases1\":[2.5,2.5],\"weights2\":[[3.5],[4.5]],"
                 "\"biases2\":[2.5]}");
    snprintf(inputs, sizeof inputs, shared, "0");
    expect_kind("shared_optimizer", inputs, "{}", "invalid_value");
}

static void test_model_training_has_a_validation_set_of_its_own_size(void) {
    /* B = 2, M = 3, K = 1, H = 1, C = 2, E = 2 epochs */
    const char *model = "{\"inputs\":[[1],[2]],\"y_true\":%s,\"validation_inputs\":%s,"
                        "\"validation_y_true\":%s,\"weights1\":[[0.5]],\"biases1\":[0.25],"
                        "\"weights2\":[[1,-1]],\"biases2\":[0,0],\"epochs\":%s,"
                        "\"batch_size\":2,\"weight_regularizer_l1\":0,"
                        "\"weight_regularizer_l2\":0.5,\"bias_regularizer_l1\":0,"
                        "\"bias_regularizer_l2\":%s,\"learning_rate\":1,\"decay\":0,"
                        "\"momentum\":0,\"epsilon\":1e-7,\"rho\":0.75,\"beta_1\":0.9,"
                        "\"beta_2\":0.999}";
    const char *params = "{\"label_format\":\"sparse\",\"optimizer\":\"rmsprop\"}";
    char inputs[1000];
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1],[2],[3]]", "[1,0,0]", "2", "0");
    expect_reply("model_training", inputs, params,
                 "{\"loss\":[0,1],\"data_loss\":[2,2],\"regularization_loss\":[0.5,0.5],"
                 "\"accuracy\":[2,2],\"learning_rate\":[0.75,0.75],"
                 "\"validation_loss\":[3,3],\"validation_accuracy\":[1,1],"
                 "\"weights1\":[[0.5]],\"biases1\":[0.25],\"weights2\":[[0,0]],"
                 "\"biases2\":[0,0]}");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1],[2],[3]]", "[1,0]", "2", "0");
    expect_kind("model_training", inputs, params, "shape_mismatch");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1],[2],[3]]", "[1,0,2]", "2", "0");
    expect_kind("model_training", inputs, params, "label_out_of_range");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[]", "[]", "2", "0");
    expect_kind("model_training", inputs, params, "empty_batch");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1,2]]", "[0]", "2", "0");
    expect_kind("model_training", inputs, params, "shape_mismatch");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1]]", "[0]", "0", "0");
    expect_kind("model_training", inputs, params, "invalid_value");
    snprintf(inputs, sizeof inputs, model, "[0,1]", "[[1]]", "[0]", "1", "-1");
    expect_kind("model_training", inputs, params, "invalid_value");
}

int main(void) {
    test_numbers_print_as_the_shortest_text_that_reads_back();
    test_every_double_reads_back_from_its_text();
    test_hard_numbers_parse_to_the_nearest_double();
    test_strings_are_escaped_and_bad_utf8_replaced();
    test_hello_lists_exactly_the_declared_stages();
    test_invalid_inputs_get_their_kind_before_the_learner_runs();
    test_neurons_inputs_weights_reach_the_learner_as_layer_dense_weights();
    test_a_rank_1_relu_input_comes_back_rank_1();
    test_both_label_formats_give_the_learner_class_indices();
    test_learner_verdicts_become_exception_or_unsupported();
    test_a_wrong_shaped_output_is_an_exception_naming_it();
    test_shuffle_gets_one_key_per_sample();
    test_chapters_gets_its_params_and_a_value_in_the_printed_shape();
    test_images_are_bytes_reaching_the_learner_flat_with_the_keys();
    test_keys_must_be_a_permutation();
    test_the_predictions_take_the_shape_the_activation_gives();
    test_a_second_batch_has_its_own_size();
    test_batches_reply_with_the_steps_the_learner_takes();
    test_single_values_of_the_model_stages_are_checked();
    test_model_training_has_a_validation_set_of_its_own_size();
    if (failures > 0) {
        fprintf(stderr, "test_kit (%s): %d failed\n", NNFS_DTYPE, failures);
        return 1;
    }
    printf("test_kit (%s): all passed\n", NNFS_DTYPE);
    return 0;
}
