// The kit's behaviour, pinned through its public loop: lines in, reply lines and stderr out.
// Build and run: cmake -S kits/cpp -B build && cmake --build build && ctest --test-dir build

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nnfs_kit.hpp"

using nlohmann::json;

namespace {

struct Session {
    int status;
    std::vector<json> replies;
    std::string err;
};

Session serve(const nnfs::Stages& stages, const std::string& lines) {
    std::istringstream in(lines);
    std::ostringstream out, err;
    int status = nnfs::serve({"test-port", "float64"}, stages, in, out, err);
    Session session{status, {}, err.str()};
    std::istringstream replies(out.str());
    for (std::string line; std::getline(replies, line);)
        session.replies.push_back(json::parse(line));
    return session;
}

// One run request for a stage, its reply.
json run(const nnfs::Stages& stages, const std::string& stage, const std::string& inputs,
         const std::string& params = "{}") {
    Session s = serve(stages, R"({"cmd":"run","seq":7,"stage":")" + stage + R"(","inputs":)" +
                                  inputs + R"(,"params":)" + params + "}\n");
    if (s.status != 0 || s.replies.size() != 1)
        throw std::runtime_error("no reply: status " + std::to_string(s.status) + ", " + s.err);
    return s.replies[0];
}

int passed = 0, failed = 0;

void check(bool condition, const std::string& what) {
    if (!condition) throw std::runtime_error(what);
}

std::uint64_t bits(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// Stages whose learner must never be called: the kit answers these cases alone.
nnfs::Stages untouchable() {
    nnfs::Stages s;
    auto never = [](auto&&...) -> nnfs::Matrix { throw std::runtime_error("learner was called"); };
    s.dense_batch = never;
    s.relu = never;
    s.dropout = [](auto&&...) -> nnfs::OutputAndGradient { throw std::runtime_error("called"); };
    s.accuracy = [](auto&&...) -> nnfs::AccuracyOutput { throw std::runtime_error("called"); };
    s.binary_crossentropy = [](auto&&...) -> nnfs::LossGradients {
        throw std::runtime_error("called");
    };
    s.sgd_step = [](auto&&...) -> nnfs::StepResult { throw std::runtime_error("called"); };
    s.neuron = [](auto&&...) -> double { throw std::runtime_error("called"); };
    return s;
}

nnfs::Stages identity_relu() {
    nnfs::Stages s;
    s.relu = [](const nnfs::Matrix& inputs) { return inputs; };
    return s;
}

void hello_declares_exactly_the_stages_the_learner_set() {
    nnfs::Stages s;
    s.neuron = [](const nnfs::Vector&, const nnfs::Vector&, double) { return 0.0; };
    s.sigmoid = [](const nnfs::Matrix&, const nnfs::Matrix&) { return nnfs::OutputAndGradient{}; };
    json hello = serve(s, "{\"cmd\":\"hello\",\"protocol\":1}\n").replies.at(0);
    check(hello["stages"] == json({"neuron", "sigmoid"}), hello.dump());
    check(hello["checks_inputs"] == true && hello["dtype"] == "float64", hello.dump());
    check(hello["label_formats"] == json({"sparse", "onehot"}), hello.dump());
}

void hard_numbers_are_read_as_the_nearest_double_and_written_back_exactly() {
    json reply =
        run(identity_relu(), "relu", R"({"inputs": [5e-324, 1e+23, 9007199254740993, -0.0]})");
    json out = reply["outputs"]["output"];
    check(bits(out[0].get<double>()) == 1, "5e-324 is the smallest subnormal: " + out.dump());
    check(out[1].get<double>() == 1e23, "1e+23 is the double nearest 1e23: " + out.dump());
    check(out[2].get<double>() == 9007199254740992.0, "2^53 + 1 rounds to 2^53: " + out.dump());
    check(std::signbit(out[3].get<double>()), "-0.0 keeps its sign: " + out.dump());
    // nlohmann's Grisu2 round-trips but is not always the shortest: the digits read back.
    check(std::strtod(out[1].dump().c_str(), nullptr) == 1e23, out[1].dump());
}

void non_finite_numbers_travel_as_the_protocol_strings() {
    json reply =
        run(identity_relu(), "relu", R"({"inputs": [["NaN", "Infinity", "-Infinity", 1.5]]})");
    check(reply["outputs"]["output"] == json::parse(R"([["NaN","Infinity","-Infinity",1.5]])"),
          reply.dump());
}

void a_rank_one_relu_input_goes_back_flat() {
    json reply = run(identity_relu(), "relu", R"({"inputs": [1, 2, 3]})");
    check(reply["outputs"]["output"] == json({1.0, 2.0, 3.0}), reply.dump());
    reply = run(identity_relu(), "relu", R"({"inputs": []})");
    check(reply["outputs"]["output"] == json::array(), reply.dump());
}

void each_invalid_input_gets_its_kind_before_the_learner_runs() {
    struct Case { const char* stage; const char* inputs; const char* params; const char* kind; };
    const Case cases[] = {
        {"dense_batch", R"({"inputs":[],"weights":[[1]],"biases":[1]})",
         R"({"weights_layout":"inputs_neurons"})", "empty_batch"},  // [] before its rank
        {"dense_batch", R"({"inputs":[1,2],"weights":[[1]],"biases":[1]})",
         R"({"weights_layout":"inputs_neurons"})", "shape_mismatch"},
        {"dense_batch", R"({"inputs":[[1,2]],"weights":[[1],[2],[3]],"biases":[1]})",
         R"({"weights_layout":"inputs_neurons"})", "shape_mismatch"},
        {"relu", R"({"inputs":[[1,2],[3]]})", "{}", "ragged_rows"},
        {"relu", R"({"inputs":[[[1]]]})", "{}", "shape_mismatch"},
        {"neuron", R"({"inputs":[1],"weights":[1],"bias":[1]})", "{}", "shape_mismatch"},
        {"accuracy", R"({"y_pred":[[0.5,0.5]],"y_true":[2]})", R"({"label_format":"sparse"})",
         "label_out_of_range"},
        {"accuracy", R"({"y_pred":[[0.5,0.5]],"y_true":[0.5]})", R"({"label_format":"sparse"})",
         "invalid_label"},
        {"accuracy", R"({"y_pred":[[0.5,0.5]],"y_true":[[1,1]]})", R"({"label_format":"onehot"})",
         "invalid_label"},
        {"accuracy", R"({"y_pred":[[0.5,0.5]],"y_true":[[1,0]]})", R"({"label_format":"sparse"})",
         "shape_mismatch"},
        {"binary_crossentropy", R"({"y_pred":[[0.5]],"y_true":[[true]]})", "{}", "invalid_label"},
        {"dropout", R"({"inputs":[[1]],"mask":[[2]],"rate":0.5,"dvalues":[[1]]})", "{}",
         "invalid_value"},
        {"dropout", R"({"inputs":[[1]],"mask":[[1]],"rate":1,"dvalues":[[1]]})", "{}",
         "invalid_value"},
        {"sgd_step", R"({"weights":[[1]],"biases":[1],"dweights":[[1]],"dbiases":[1],)"
                     R"("weight_momentums":[[0]],"bias_momentums":[0],"iterations":1.5,)"
                     R"("learning_rate":1,"decay":0,"momentum":0})", "{}", "invalid_value"},
    };
    for (const Case& c : cases) {
        json reply = run(untouchable(), c.stage, c.inputs, c.params);
        check(reply.contains("error") && reply["error"]["kind"] == c.kind,
              std::string(c.stage) + " " + c.inputs + " -> " + reply.dump());
    }
}

void neurons_inputs_weights_arrive_as_layer_dense_weights() {
    nnfs::Stages s;
    s.dense_batch = [](const nnfs::Matrix& inputs, const nnfs::Matrix& weights,
                       const nnfs::Vector& biases) {
        nnfs::Matrix output(inputs.rows, weights.cols);
        for (std::size_t n = 0; n < weights.cols; n++)
            for (std::size_t k = 0; k < weights.rows; k++)
                output(0, n) += inputs(0, k) * weights(k, n);
        output(0, 0) += biases[0];
        return output;
    };
    json reply = run(s, "dense_batch",
                     R"({"inputs":[[1,2,3]],"weights":[[1,10,100]],"biases":[0.5]})",
                     R"({"weights_layout":"neurons_inputs"})");
    check(reply["outputs"]["output"] == json::parse("[[321.5]]"), reply.dump());
}

void a_learner_exception_is_kind_exception_with_its_own_message() {
    nnfs::Stages s;
    s.relu = [](const nnfs::Matrix&) -> nnfs::Matrix { throw std::invalid_argument("relu broke"); };
    json reply = run(s, "relu", R"({"inputs": [1]})");
    check(reply["seq"] == 7 && reply["error"] == json({{"kind", "exception"},
                                                       {"message", "relu broke"}}),
          reply.dump());
}

void unsupported_declines_the_case() {
    nnfs::Stages s;
    s.relu = [](const nnfs::Matrix&) -> nnfs::Matrix { throw nnfs::Unsupported("not yet"); };
    json reply = run(s, "relu", R"({"inputs": [1]})");
    check(reply == json({{"seq", 7}, {"unsupported", "not yet"}}), reply.dump());
}

void a_wrong_shaped_output_is_an_exception_naming_the_stage_and_output() {
    nnfs::Stages s;
    s.softmax = [](const nnfs::Matrix& x) { return nnfs::Matrix(x.rows, x.cols + 1); };
    json reply = run(s, "softmax", R"({"inputs": [[1, 2]]})");
    check(reply["error"]["kind"] == "exception", reply.dump());
    std::string message = reply["error"]["message"];
    check(message.find("softmax") != std::string::npos &&
              message.find("output") != std::string::npos &&
              message.find("[1, 2]") != std::string::npos,
          message);
    s.softmax = [](const nnfs::Matrix&) {
        nnfs::Matrix broken(1, 2);
        broken.data.pop_back();  // rows * cols promises 2 values
        return broken;
    };
    reply = run(s, "softmax", R"({"inputs": [[1, 2]]})");
    check(reply["error"]["kind"] == "exception", reply.dump());
}

void a_request_it_cannot_understand_ends_the_loop_with_one_stderr_line() {
    const char* lines[] = {
        "this is not json\n",
        "{\"cmd\":\"run\",\"seq\":1,\"stage\":\"relu\",\"inputs\":{\"inputs\":[1\n",
        "{\"cmd\":\"run\"}\n",
        "[1, 2]\n",
        "{\"cmd\":\"dance\"}\n",
        "{\"cmd\":\"run\",\"seq\":1,\"stage\":\"softmax\",\"inputs\":{\"inputs\":[[1]]}}\n",
    };
    for (const char* line : lines) {
        Session s = serve(identity_relu(), std::string(line) + "{\"cmd\":\"hello\"}\n");
        check(s.status != 0 && s.replies.empty(), line);
        check(!s.err.empty() && s.err.find('\n') == s.err.size() - 1, "one line: " + s.err);
    }
}

void bye_and_the_end_of_input_exit_zero_and_blank_lines_are_skipped() {
    Session s = serve(identity_relu(),
                      "\n{\"cmd\":\"hello\"}\n  \n{\"cmd\":\"bye\"}\n{\"cmd\":\"hello\"}\n");
    check(s.status == 0 && s.replies.size() == 1, s.err);
    s = serve(identity_relu(), "{\"cmd\":\"hello\"}");  // no newline, then EOF
    check(s.status == 0 && s.replies.size() == 1, s.err);
}

// The book tier: the kit reads its integers and params, and knows each output's shape.
nnfs::Stages book_stages() {
    nnfs::Stages s;
    s.rng = [](std::uint32_t seed, const std::vector<nnfs::RngCall>& calls) {
        nnfs::Vector values;  // seed, then each call's kind, count times
        for (const auto& call : calls)
            for (std::size_t i = 0; i < call.count; i++)
                values.push_back(seed + 10.0 * call.kind);
        return values;
    };
    s.datasets = [](std::uint32_t, std::size_t samples, std::size_t classes,
                    const std::string& dataset) -> nnfs::Dataset {
        if (dataset == "sine") return {nnfs::Matrix(samples, 1), nnfs::Matrix(samples, 1)};
        return {nnfs::Matrix(samples * classes, 2), std::vector<int>(samples * classes, 1)};
    };
    s.init = [](std::uint32_t, std::size_t skip, const std::vector<nnfs::LayerShape>& shapes,
                double scale) {
        nnfs::Vector weights;
        for (const auto& shape : shapes)
            weights.insert(weights.end(), shape.n_inputs * shape.n_neurons, scale * skip);
        return weights;
    };
    s.shuffle = [](std::uint32_t, std::size_t samples) {
        std::vector<std::size_t> keys(samples);
        for (std::size_t i = 0; i < samples; i++) keys[i] = samples - 1 - i;
        return keys;
    };
    s.chapters = [](std::uint32_t, std::size_t samples, std::size_t classes, std::size_t hidden,
                    std::size_t steps, const std::string& printed, const std::string& optimizer,
                    const nnfs::Hyperparameters& h) -> nnfs::Printed {
        if (printed == "loss") return h.learning_rate + h.decay + h.momentum + h.epsilon;
        if (printed == "accuracy") return nnfs::Matrix(1, 1);  // a number is wanted
        if (printed == "learning_rate") return optimizer == "adam" ? 1.0 * steps : -1.0;
        return nnfs::Matrix(std::min<std::size_t>(5, samples * classes), hidden);
    };
    return s;
}

const char* CHAPTER = R"({"seed":0,"samples":100,"classes":3,"hidden":4,"steps":2})";
std::string chapter_params(const std::string& printed) {
    return R"({"printed":")" + printed +
           R"(","optimizer":"adam","learning_rate":0.5,"decay":0.25,"momentum":0.125})";
}

void a_port_without_the_book_tier_does_not_declare_it() {
    json hello = serve(identity_relu(), "{\"cmd\":\"hello\"}\n").replies.at(0);
    check(hello["stages"] == json({"relu"}), hello.dump());
    hello = serve(book_stages(), "{\"cmd\":\"hello\"}\n").replies.at(0);
    check(hello["stages"] == json({"rng", "datasets", "init", "shuffle", "chapters"}),
          hello.dump());
}

void book_integers_and_params_reach_the_learner_and_outputs_take_their_shapes() {
    json reply = run(book_stages(), "rng", R"({"seed":4294967295,"calls":[[2,2],[0,1.0]]})");
    check(reply["outputs"]["values"] == json({4294967315.0, 4294967315.0, 4294967295.0}),
          reply.dump());
    reply = run(book_stages(), "datasets", R"({"seed":0,"samples":2,"classes":3})",
                R"({"dataset":"spiral"})");
    check(reply["outputs"]["x"].size() == 6 && reply["outputs"]["x"][0].size() == 2 &&
              reply["outputs"]["y"] == json({1, 1, 1, 1, 1, 1}),
          reply.dump());
    reply = run(book_stages(), "datasets", R"({"seed":0,"samples":2,"classes":3})",
                R"({"dataset":"sine"})");
    check(reply["outputs"]["x"] == json::parse("[[0.0],[0.0]]") &&
              reply["outputs"]["y"] == json::parse("[[0.0],[0.0]]"),
          reply.dump());
    reply = run(book_stages(), "init", R"({"seed":0,"skip":2,"shapes":[[2,1],[1,2]]})",
                R"({"scale":0.25})");
    check(reply["outputs"]["weights"] == json({0.5, 0.5, 0.5, 0.5}), reply.dump());
    reply = run(book_stages(), "shuffle", R"({"seed":0,"samples":3})");
    check(reply["outputs"]["keys"] == json({2, 1, 0}), reply.dump());
    reply = run(book_stages(), "chapters", CHAPTER, chapter_params("loss"));
    check(reply["outputs"]["value"] == 0.875 + 1e-7, reply.dump());
    reply = run(book_stages(), "chapters", CHAPTER, chapter_params("learning_rate"));
    check(reply["outputs"]["value"] == 2.0, reply.dump());
    reply = run(book_stages(), "chapters", CHAPTER, chapter_params("dense1_output"));
    check(reply["outputs"]["value"].size() == 5 && reply["outputs"]["value"][0].size() == 4,
          reply.dump());
}

void a_book_output_of_the_wrong_shape_is_an_exception() {
    json reply = run(book_stages(), "chapters", CHAPTER, chapter_params("accuracy"));
    check(reply["error"]["kind"] == "exception", reply.dump());
    reply = run(book_stages(), "chapters", CHAPTER, chapter_params("weights1"));  // not 5 x 4
    check(reply["error"]["kind"] == "exception", reply.dump());
}

void invalid_book_inputs_are_refused_and_a_seed_past_32_bits_declined() {
    struct Case { const char* stage; const char* inputs; const char* params; const char* kind; };
    const Case cases[] = {
        {"rng", R"({"seed":-1,"calls":[[0,1]]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":0.5,"calls":[[0,1]]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":"0","calls":[[0,1]]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":0,"calls":[[3,1]]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":0,"calls":[[0,1,2]]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":0,"calls":[]})", "{}", "shape_mismatch"},
        {"rng", R"({"seed":0,"calls":[[0,1],[1]]})", "{}", "ragged_rows"},
        {"init", R"({"seed":0,"skip":0,"shapes":[[2,-3]]})", R"({"scale":0.01})",
         "shape_mismatch"},
        {"shuffle", R"({"seed":0,"samples":true})", "{}", "shape_mismatch"},
    };
    for (const Case& c : cases) {
        json reply = run(book_stages(), c.stage, c.inputs, c.params);
        check(reply.contains("error") && reply["error"]["kind"] == c.kind,
              std::string(c.stage) + " " + c.inputs + " -> " + reply.dump());
    }
    json reply = run(book_stages(), "shuffle", R"({"seed":4294967296,"samples":3})");
    check(reply.contains("unsupported"), reply.dump());
}

void a_book_param_missing_or_of_the_wrong_kind_is_not_understood() {
    const char* params[] = {
        R"({"printed":"loss","optimizer":"adam","learning_rate":"1","decay":0,"momentum":0})",
        R"({"printed":"lost","optimizer":"adam","learning_rate":1,"decay":0,"momentum":0})",
        R"({"printed":"loss","optimizer":"adam","learning_rate":1,"decay":0})",
    };
    for (const char* p : params) {
        std::string line = std::string(R"({"cmd":"run","seq":1,"stage":"chapters","inputs":)") +
                           CHAPTER + R"(,"params":)" + p + "}\n";
        Session s = serve(book_stages(), line);
        check(s.status != 0 && s.replies.empty() && !s.err.empty(), p);
    }
}

// The Model's chapters (18-22) and the stages whose inputs or outputs need more than a batch.

// An invalid case's reply, for stages whose learner must never run.
void expect_kind(const nnfs::Stages& stages, const char* stage, const std::string& inputs,
                 const std::string& params, const char* kind) {
    json reply = run(stages, stage, inputs, params);
    check(reply.contains("error") && reply["error"]["kind"] == kind,
          std::string(stage) + " " + inputs + " -> " + reply.dump());
}

nnfs::Stages model_stages_that_must_not_run() {
    nnfs::Stages s;
    s.preprocess = [](auto&&...) -> nnfs::PreprocessOutput { throw std::runtime_error("called"); };
    s.batches = [](auto&&...) -> nnfs::BatchesOutput { throw std::runtime_error("called"); };
    s.evaluate = [](auto&&...) -> nnfs::EvaluateOutput { throw std::runtime_error("called"); };
    s.regression_accuracy = [](auto&&...) -> double { throw std::runtime_error("called"); };
    s.shared_optimizer = [](auto&&...) { throw std::runtime_error("called"); };
    s.repeated_forward = [](auto&&...) -> nnfs::RepeatedForwardOutput {
        throw std::runtime_error("called");
    };
    s.predictions = [](auto&&...) -> nnfs::Predictions { throw std::runtime_error("called"); };
    return s;
}

void hello_declares_the_models_stages_in_the_suites_order() {
    nnfs::Stages s = model_stages_that_must_not_run();
    s.dense_relu = [](auto&&...) { return nnfs::DenseReluOutput{}; };
    s.parameters = [](auto&&...) { return nnfs::ParametersOutput{}; };
    json hello = serve(s, "{\"cmd\":\"hello\"}\n").replies.at(0);
    check(hello["stages"] == json({"dense_relu", "repeated_forward", "regression_accuracy",
                                   "shared_optimizer", "preprocess", "batches", "predictions",
                                   "evaluate", "parameters"}),
          hello.dump());
}

void images_must_be_bytes_and_keys_a_permutation() {
    nnfs::Stages s = model_stages_that_must_not_run();
    auto images = [](const std::string& pixels, const std::string& labels = "[0]",
                     const std::string& keys = "[0]") {
        return R"({"images":)" + pixels + R"(,"labels":)" + labels + R"(,"keys":)" + keys + "}";
    };
    // a byte is an integer 0-255: anything else is outside the domain, not the shape
    for (const char* pixel : {"256", "-1", "1.5", "\"1\"", "true", "\"NaN\""})
        expect_kind(s, "preprocess", images(std::string("[[[0, ") + pixel + "]]]"), "{}",
                    "invalid_value");
    expect_kind(s, "preprocess", images("[]", "[]", "[]"), "{}", "empty_batch");
    expect_kind(s, "preprocess", images("[[0, 1]]"), "{}", "shape_mismatch");  // rank 2
    expect_kind(s, "preprocess", images("[[[[0]]]]"), "{}", "shape_mismatch");  // rank 4
    expect_kind(s, "preprocess", images("[[[0, 1], [2]]]"), "{}", "ragged_rows");
    expect_kind(s, "preprocess", images("[[[0]], [[1]]]", "[0]", "[0, 1]"), "{}",
                "shape_mismatch");
    expect_kind(s, "preprocess", images("[[[0]], [[1]]]", "[0, 1]", "[0]"), "{}",
                "shape_mismatch");
    expect_kind(s, "preprocess", images("[[[0]]]", "[0.5]"), "{}", "shape_mismatch");
    // keys: a permutation of 0..n-1
    for (const char* keys : {"[0, 0]", "[0, 2]", "[-1, 0]", "[1, 1]", "[0.5, 1]"})
        expect_kind(s, "preprocess", images("[[[0]], [[1]]]", "[0, 1]", keys), "{}",
                    "invalid_value");
}

void images_reach_the_learner_as_bytes_and_x_has_a_row_per_image() {
    nnfs::Stages s;
    std::string seen;
    s.preprocess = [&seen](const nnfs::Images& images, const std::vector<int>& labels,
                           const std::vector<std::size_t>& keys) {
        seen = std::to_string(images.samples) + "x" + std::to_string(images.height) + "x" +
               std::to_string(images.width) + " " + std::to_string(images(1, 1, 2)) + " " +
               std::to_string(labels[1]) + " " + std::to_string(keys[0]);
        nnfs::PreprocessOutput r{nnfs::Matrix(images.samples, images.height * images.width), {}};
        for (std::size_t i = 0; i < r.x.data.size(); i++) r.x.data[i] = images.data[i];
        for (std::size_t key : keys) r.y.push_back(labels[key]);
        return r;
    };
    const char* inputs = R"({"images":[[[0,1,2],[3,4,5]],[[250,251,252],[253,254,255.0]]],)"
                         R"("labels":[7,9],"keys":[1,0.0]})";
    json reply = run(s, "preprocess", inputs);
    check(seen == "2x2x3 255 9 1", seen);
    check(reply["outputs"]["x"].size() == 2 && reply["outputs"]["x"][0].size() == 6 &&
              reply["outputs"]["x"][1][5] == 255.0 && reply["outputs"]["y"] == json({9, 7}),
          reply.dump());
    s.preprocess = [](const nnfs::Images& images, const std::vector<int>& labels,
                      const std::vector<std::size_t>&) {  // x as the images' H x W: wrong
        return nnfs::PreprocessOutput{nnfs::Matrix(images.height, images.width), labels};
    };
    reply = run(s, "preprocess", inputs);
    check(reply["error"]["kind"] == "exception" &&
              reply["error"]["message"].get<std::string>().find("[2, 6]") != std::string::npos,
          reply.dump());
}

void the_second_batch_has_its_own_size() {
    nnfs::Stages s = model_stages_that_must_not_run();
    auto inputs = [](const char* inputs1, const char* inputs2, const char* dvalues) {
        return std::string(R"({"inputs1":)") + inputs1 + R"(,"inputs2":)" + inputs2 +
               R"(,"weights":[[1],[1]],"biases":[0],"dvalues":)" + dvalues + "}";
    };
    expect_kind(s, "repeated_forward", inputs("[]", "[[1,2]]", "[[1]]"), "{}", "empty_batch");
    expect_kind(s, "repeated_forward", inputs("[[1,2]]", "[]", "[]"), "{}", "empty_batch");
    expect_kind(s, "repeated_forward", inputs("[[1,2],[3,4]]", "[[1,2]]", "[[1],[1]]"), "{}",
                "shape_mismatch");  // dvalues of the first batch
    expect_kind(s, "repeated_forward", inputs("[[1,2]]", "[[1,2,3]]", "[[1]]"), "{}",
                "shape_mismatch");
    s.repeated_forward = [](const nnfs::Matrix& inputs1, const nnfs::Matrix& inputs2,
                            const nnfs::Matrix& weights, const nnfs::Vector& biases,
                            const nnfs::Matrix& dvalues) {
        check(inputs1.rows == 1 && inputs2.rows == 3 && dvalues.rows == 3, "batch sizes");
        return nnfs::RepeatedForwardOutput{
            nnfs::Matrix(inputs1.rows, weights.cols), nnfs::Matrix(inputs2.rows, weights.cols),
            nnfs::Matrix(weights.rows, weights.cols), biases,
            nnfs::Matrix(inputs2.rows, inputs2.cols)};
    };
    json reply =
        run(s, "repeated_forward", inputs("[[1,2]]", "[[1,2],[3,4],[5,6]]", "[[1],[2],[3]]"));
    check(reply["outputs"]["output1"].size() == 1 && reply["outputs"]["output2"].size() == 3 &&
              reply["outputs"]["dinputs"].size() == 3,
          reply.dump());
    s.repeated_forward = [](const nnfs::Matrix& inputs1, const nnfs::Matrix&,
                            const nnfs::Matrix& weights, const nnfs::Vector& biases,
                            const nnfs::Matrix&) {  // the second output shaped by the first batch
        nnfs::Matrix first(inputs1.rows, weights.cols);
        return nnfs::RepeatedForwardOutput{first, first, weights, biases,
                                           nnfs::Matrix(inputs1.rows, weights.rows)};
    };
    reply = run(s, "repeated_forward", inputs("[[1,2]]", "[[1,2],[3,4],[5,6]]", "[[1],[2],[3]]"));
    check(reply["error"]["kind"] == "exception", reply.dump());
}

void batch_sizes_and_steps_must_be_integers_of_their_domain() {
    nnfs::Stages s = model_stages_that_must_not_run();
    for (const char* size : {"0", "-4", "2.5", "\"2\"", "true", "\"Infinity\""}) {
        expect_kind(s, "batches", std::string(R"({"inputs":[[1],[2]],"batch_size":)") + size + "}",
                    "{}", "invalid_value");
        expect_kind(s, "evaluate",
                    std::string(R"({"y_pred":[[0.5,0.5]],"y_true":[0],"batch_size":)") + size +
                        "}",
                    R"({"label_format":"sparse"})", "invalid_value");
    }
    expect_kind(s, "batches", R"({"inputs":[],"batch_size":1})", "{}", "empty_batch");
    expect_kind(s, "evaluate", R"({"y_pred":[[0.5,0.5]],"y_true":[2],"batch_size":1})",
                R"({"label_format":"sparse"})", "label_out_of_range");
    std::string shared = R"({"weights1":[[1]],"biases1":[0],"weights2":[[1]],"biases2":[0],)"
                         R"("dweights1":[[1]],"dbiases1":[0],"dweights2":[[1]],"dbiases2":[0],)"
                         R"("learning_rate":0.1,"decay":0,"epsilon":1e-7,"beta_1":0.9,)"
                         R"("beta_2":0.999,"steps":)";
    for (const char* steps : {"0", "1.5", "-1"})
        expect_kind(s, "shared_optimizer", shared + steps + "}", "{}", "invalid_value");
    expect_kind(s, "regression_accuracy", R"({"y_pred":[[1]],"y_true":[[1]],"precision":-0.5})",
                "{}", "invalid_value");
    expect_kind(s, "regression_accuracy",
                R"({"y_pred":[[1]],"y_true":[[1]],"precision":"NaN"})", "{}", "invalid_value");
    expect_kind(s, "regression_accuracy",
                R"({"y_pred":[[1]],"y_true":[[1]],"precision":[0.5]})", "{}", "shape_mismatch");
}

void the_number_of_batches_is_the_learners_and_its_outputs_must_agree_on_it() {
    nnfs::Stages s;
    s.batches = [](const nnfs::Matrix& inputs, long batch_size) {
        long steps = (static_cast<long>(inputs.rows) + batch_size - 1) / batch_size;
        nnfs::BatchesOutput r{steps, std::vector<long>(steps, batch_size),
                              nnfs::Matrix(steps, inputs.cols), nnfs::Matrix(steps, inputs.cols)};
        return r;
    };
    json reply = run(s, "batches", R"({"inputs":[[1,2],[3,4],[5,6]],"batch_size":2.0})");
    check(reply["outputs"]["steps"] == 2 && reply["outputs"]["steps"].is_number_integer() &&
              reply["outputs"]["batch_sizes"] == json({2, 2}) &&
              reply["outputs"]["last_rows"].size() == 2,
          reply.dump());
    s.batches = [](const nnfs::Matrix& inputs, long) {  // three sizes, two rows: which is it?
        return nnfs::BatchesOutput{2, {1, 1, 1}, nnfs::Matrix(2, inputs.cols),
                                   nnfs::Matrix(2, inputs.cols)};
    };
    reply = run(s, "batches", R"({"inputs":[[1,2],[3,4],[5,6]],"batch_size":1})");
    check(reply["error"]["kind"] == "exception" &&
              reply["error"]["message"].get<std::string>().find("first_rows") !=
                  std::string::npos,
          reply.dump());
}

void the_activation_decides_the_shape_of_the_predictions() {
    nnfs::Stages s;
    s.predictions = [](const nnfs::Matrix& inputs, const std::string& activation)
        -> nnfs::Predictions {
        if (activation == "softmax") return std::vector<int>(inputs.rows, 1);
        if (activation == "sigmoid") return nnfs::IntMatrix(inputs.rows, inputs.cols, 1);
        return inputs;
    };
    const char* inputs = R"({"inputs":[[0.25,0.75,0.5],[1,2,3]]})";
    json reply = run(s, "predictions", inputs, R"({"activation":"softmax"})");
    check(reply["outputs"]["predictions"] == json({1, 1}), reply.dump());
    reply = run(s, "predictions", inputs, R"({"activation":"sigmoid"})");
    check(reply["outputs"]["predictions"] == json::parse("[[1,1,1],[1,1,1]]") &&
              reply["outputs"]["predictions"][0][0].is_number_integer(),
          reply.dump());
    reply = run(s, "predictions", inputs, R"({"activation":"linear"})");
    check(reply["outputs"]["predictions"] == json::parse("[[0.25,0.75,0.5],[1.0,2.0,3.0]]"),
          reply.dump());
    // each activation's shape, whichever alternative the learner returns
    s.predictions = [](const nnfs::Matrix& inputs, const std::string& activation)
        -> nnfs::Predictions {
        if (activation == "softmax") return nnfs::IntMatrix(inputs.rows, 1);
        if (activation == "sigmoid") return std::vector<int>(inputs.rows);
        return nnfs::Matrix(inputs.rows, inputs.cols + 1);
    };
    for (const char* activation : {"softmax", "sigmoid", "linear"}) {
        reply = run(s, "predictions", inputs,
                    std::string(R"({"activation":")") + activation + "\"}");
        check(reply["error"]["kind"] == "exception", std::string(activation) + reply.dump());
    }
    Session session = serve(s, std::string(R"({"cmd":"run","seq":1,"stage":"predictions",)") +
                                   R"("inputs":{"inputs":[[1]]},"params":{"activation":"relu"}})" +
                                   "\n");
    check(session.status != 0 && session.replies.empty(), "activation relu: " + session.err);
}

void binary_predictions_go_back_as_integers_and_shared_layers_start_at_zero_state() {
    nnfs::Stages s;
    s.binary_accuracy = [](const nnfs::Matrix& y_pred, const nnfs::Matrix&) {
        nnfs::IntMatrix predictions(y_pred.rows, y_pred.cols);
        for (std::size_t i = 0; i < y_pred.data.size(); i++)
            predictions.data[i] = y_pred.data[i] > 0.5;
        return nnfs::BinaryAccuracyOutput{predictions, 0.5};
    };
    json reply = run(s, "binary_accuracy", R"({"y_pred":[[0.75,0.5]],"y_true":[[1,1]]})");
    check(reply["outputs"]["predictions"] == json::parse("[[1,0]]") &&
              reply["outputs"]["predictions"][0][0].is_number_integer(),
          reply.dump());
    s.shared_optimizer = [](nnfs::LayerState& layer1, nnfs::LayerState& layer2, long steps,
                            const nnfs::Hyperparameters& h) {
        check(steps == 3 && h.learning_rate == 0.5 && h.beta_2 == 0.75, "steps and h");
        for (auto* layer : {&layer1, &layer2}) {
            check(layer->weight_cache.data == std::vector<double>(layer->weights.data.size()) &&
                      layer->bias_momentums == nnfs::Vector(layer->biases.size()),
                  "zero state");
            for (std::size_t i = 0; i < layer->weights.data.size(); i++)
                layer->weights.data[i] -= layer->dweights.data[i];
        }
    };
    reply = run(s, "shared_optimizer",
                R"({"weights1":[[1,2]],"biases1":[0,0],"weights2":[[1],[1]],"biases2":[0],)"
                R"("dweights1":[[1,1]],"dbiases1":[0,0],"dweights2":[[0.5],[0.25]],)"
                R"("dbiases2":[0],"steps":3,"learning_rate":0.5,"decay":0,"epsilon":1e-7,)"
                R"("beta_1":0.9,"beta_2":0.75})");
    check(reply["outputs"]["weights1"] == json::parse("[[0.0,1.0]]") &&
              reply["outputs"]["weights2"] == json::parse("[[0.5],[0.75]]"),
          reply.dump());
}

std::string model_inputs(const std::string& validation_inputs,
                         const std::string& validation_y_true, const std::string& epochs = "2",
                         const std::string& l1 = "0") {
    return R"({"inputs":[[1,2],[3,4],[5,6]],"y_true":[0,1,1],"validation_inputs":)" +
           validation_inputs + R"(,"validation_y_true":)" + validation_y_true +
           R"(,"weights1":[[1,0,0],[0,1,0]],"biases1":[0,0,0],"weights2":[[1,0],[0,1],[1,1]],)"
           R"("biases2":[0,0],"epochs":)" + epochs + R"(,"batch_size":2,)"
           R"("weight_regularizer_l1":)" + l1 + R"(,"weight_regularizer_l2":0,)"
           R"("bias_regularizer_l1":0,"bias_regularizer_l2":0,"learning_rate":1,"decay":0,)"
           R"("momentum":0,"epsilon":1e-7,"rho":0.9,"beta_1":0.9,"beta_2":0.999})";
}

void the_validation_set_has_its_own_size_and_the_epochs_shape_the_outputs() {
    nnfs::Stages s;
    s.model_training = [](auto&&...) -> nnfs::ModelTrainingOutput {
        throw std::runtime_error("called");
    };
    const char* sgd = R"({"label_format":"sparse","optimizer":"sgd"})";
    expect_kind(s, "model_training", model_inputs("[]", "[]"), sgd, "empty_batch");
    expect_kind(s, "model_training", model_inputs("[[1,2,3]]", "[0]"), sgd, "shape_mismatch");
    expect_kind(s, "model_training", model_inputs("[[1,2]]", "[0,1]"), sgd, "shape_mismatch");
    expect_kind(s, "model_training", model_inputs("[[1,2]]", "[2]"), sgd, "label_out_of_range");
    expect_kind(s, "model_training", model_inputs("[[1,2]]", "[[1,1]]"),
                R"({"label_format":"onehot","optimizer":"sgd"})", "shape_mismatch");
    expect_kind(s, "model_training", model_inputs("[[1,2]]", "[0]", "0"), sgd, "invalid_value");
    expect_kind(s, "model_training", model_inputs("[[1,2]]", "[0]", "2", "-1"), sgd,
                "invalid_value");
    s.model_training = [](const nnfs::Matrix& inputs, const nnfs::Labels&,
                          const nnfs::Matrix& validation_inputs, const nnfs::Labels& y_val,
                          const nnfs::Matrix& weights1, const nnfs::Vector& biases1,
                          const nnfs::Matrix& weights2, const nnfs::Vector& biases2, long epochs,
                          long batch_size, const nnfs::Regularizers& r,
                          const std::string& optimizer, const nnfs::Hyperparameters& h) {
        check(inputs.rows == 3 && validation_inputs.rows == 4 &&
                  std::get<std::vector<int>>(y_val).size() == 4 && batch_size == 2 &&
                  r.weight_l1 == 0.5 && optimizer == "adam" && h.rho == 0.9,
              "model_training's arguments");
        nnfs::Vector each(3, 0.25);  // three epochs' values, whatever epochs says
        check(epochs == 2 || epochs == 3, "epochs");
        return nnfs::ModelTrainingOutput{each, each, each, each, each, each, each,
                                         weights1, biases1, weights2, biases2};
    };
    json reply = run(s, "model_training",
                     model_inputs("[[1,2],[3,4],[5,6],[7,8]]", "[0,1,1,0]", "3", "0.5"),
                     R"({"label_format":"sparse","optimizer":"adam"})");
    check(reply["outputs"]["validation_loss"] == json({0.25, 0.25, 0.25}) &&
              reply["outputs"]["weights2"].size() == 3,
          reply.dump());
    reply = run(s, "model_training", model_inputs("[[1,2],[3,4],[5,6],[7,8]]", "[0,1,1,0]",
                                                  "2", "0.5"),
                R"({"label_format":"sparse","optimizer":"adam"})");  // 2 epochs, 3 values each
    check(reply["outputs"].is_null() && reply["error"]["kind"] == "exception", reply.dump());
}

}  // namespace

int main() {
    const std::vector<std::pair<const char*, void (*)()>> tests = {
        {"hello_declares_exactly_the_stages_the_learner_set",
         hello_declares_exactly_the_stages_the_learner_set},
        {"hard_numbers_are_read_as_the_nearest_double_and_written_back_exactly",
         hard_numbers_are_read_as_the_nearest_double_and_written_back_exactly},
        {"non_finite_numbers_travel_as_the_protocol_strings",
         non_finite_numbers_travel_as_the_protocol_strings},
        {"a_rank_one_relu_input_goes_back_flat", a_rank_one_relu_input_goes_back_flat},
        {"each_invalid_input_gets_its_kind_before_the_learner_runs",
         each_invalid_input_gets_its_kind_before_the_learner_runs},
        {"neurons_inputs_weights_arrive_as_layer_dense_weights",
         neurons_inputs_weights_arrive_as_layer_dense_weights},
        {"a_learner_exception_is_kind_exception_with_its_own_message",
         a_learner_exception_is_kind_exception_with_its_own_message},
        {"unsupported_declines_the_case", unsupported_declines_the_case},
        {"a_wrong_shaped_output_is_an_exception_naming_the_stage_and_output",
         a_wrong_shaped_output_is_an_exception_naming_the_stage_and_output},
        {"a_request_it_cannot_understand_ends_the_loop_with_one_stderr_line",
         a_request_it_cannot_understand_ends_the_loop_with_one_stderr_line},
        {"bye_and_the_end_of_input_exit_zero_and_blank_lines_are_skipped",
         bye_and_the_end_of_input_exit_zero_and_blank_lines_are_skipped},
        {"a_port_without_the_book_tier_does_not_declare_it",
         a_port_without_the_book_tier_does_not_declare_it},
        {"book_integers_and_params_reach_the_learner_and_outputs_take_their_shapes",
         book_integers_and_params_reach_the_learner_and_outputs_take_their_shapes},
        {"a_book_output_of_the_wrong_shape_is_an_exception",
         a_book_output_of_the_wrong_shape_is_an_exception},
        {"invalid_book_inputs_are_refused_and_a_seed_past_32_bits_declined",
         invalid_book_inputs_are_refused_and_a_seed_past_32_bits_declined},
        {"a_book_param_missing_or_of_the_wrong_kind_is_not_understood",
         a_book_param_missing_or_of_the_wrong_kind_is_not_understood},
        {"hello_declares_the_models_stages_in_the_suites_order",
         hello_declares_the_models_stages_in_the_suites_order},
        {"images_must_be_bytes_and_keys_a_permutation",
         images_must_be_bytes_and_keys_a_permutation},
        {"images_reach_the_learner_as_bytes_and_x_has_a_row_per_image",
         images_reach_the_learner_as_bytes_and_x_has_a_row_per_image},
        {"the_second_batch_has_its_own_size", the_second_batch_has_its_own_size},
        {"batch_sizes_and_steps_must_be_integers_of_their_domain",
         batch_sizes_and_steps_must_be_integers_of_their_domain},
        {"the_number_of_batches_is_the_learners_and_its_outputs_must_agree_on_it",
         the_number_of_batches_is_the_learners_and_its_outputs_must_agree_on_it},
        {"the_activation_decides_the_shape_of_the_predictions",
         the_activation_decides_the_shape_of_the_predictions},
        {"binary_predictions_go_back_as_integers_and_shared_layers_start_at_zero_state",
         binary_predictions_go_back_as_integers_and_shared_layers_start_at_zero_state},
        {"the_validation_set_has_its_own_size_and_the_epochs_shape_the_outputs",
         the_validation_set_has_its_own_size_and_the_epochs_shape_the_outputs},
    };
    for (const auto& [name, test] : tests) {
        try {
            test();
            passed++;
        } catch (const std::exception& e) {
            failed++;
            std::cout << "FAILED " << name << ": " << e.what() << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
