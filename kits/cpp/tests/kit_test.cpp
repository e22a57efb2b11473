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
