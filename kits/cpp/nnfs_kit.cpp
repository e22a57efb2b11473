// nnfs_kit: the protocol loop, the JSON, the input checks and the output checks.
//
// Everything a stage needs is declared once, in STAGES at the end of the anonymous namespace:
// its inputs in the order docs/STAGES.md checks them (each with a form and the names of its
// dimensions), its params, its outputs with their dimensions, and two lines of glue that call
// the learner's function with natural C++ types.

#include "nnfs_kit.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>
#include <nlohmann/json.hpp>

namespace nnfs {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;  // replies keep their keys in the order written
using Shape = std::vector<std::size_t>;

// ---------------------------------------------------------------------------------------------
// What can go wrong, and how each is answered

// An invalid input: answered {"seq":N,"error":{"kind":kind,"message":message}}.
struct InvalidInput {
    std::string kind, message;
};

// A request the kit cannot understand: one line on stderr, then a non-zero exit.
struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A learner's output of the wrong shape: answered with the kind `exception`.
struct BadOutput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string show(const Shape& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); i++)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// ---------------------------------------------------------------------------------------------
// Numbers. JSON has no NaN or infinities: the protocol writes them as strings, both ways.

bool is_number(const json& value) {
    if (value.is_number()) return true;
    if (!value.is_string()) return false;
    const auto& text = value.get_ref<const std::string&>();
    return text == "NaN" || text == "Infinity" || text == "-Infinity";
}

// The nearest double: nlohmann reads a decimal with strtod and an integer exactly, which the
// conversion to double then rounds to nearest (2^53 + 1 -> 2^53).
double number(const json& value) {
    if (value.is_number()) return value.get<double>();
    const auto& text = value.get_ref<const std::string&>();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    return text == "Infinity" ? HUGE_VAL : -HUGE_VAL;
}

ordered encode(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    return x;  // nlohmann prints a double so that it reads back as the same double
}

// ---------------------------------------------------------------------------------------------
// The declarative part: how each input is checked, and what each output must look like

enum class Form {
    Batch,    // an array whose first dimension is the batch: [] is empty_batch
    Array,    // an array of numbers of the given dimensions ("*": rank 1 or 2)
    Weights,  // Layer_Dense weights (K N); params.weights_layout neurons_inputs sends N K
    Scalar,   // one number
    Labels,   // y_true: dims "B C" read as (B) when sparse, (B, C) when one-hot
    Binary,   // an array of 0s and 1s; another entry is an error of `kind`
    Factor,   // a number >= 0 (a regularizer)
    Rate,     // a number in [0, 1) (dropout's rate)
    Count,    // an integer >= least (iterations, steps); dims names it for the outputs
    Bytes,    // a batch of integers 0-255 (preprocess's images); another entry is invalid_value
    Ints,     // an array of integers (preprocess's labels); another entry is shape_mismatch
    Keys,     // integers that are a permutation of 0 .. n-1 (else invalid_value)
    Integer,  // the book tier: an integer >= 0 (else shape_mismatch)
    Pairs,    // the book tier: a list of [integer, integer] (rng's calls, init's shapes)
};

struct In {
    const char* name;
    Form form;
    const char* dims = "";
    const char* kind = "";
    long least = 0;
};

struct Out {
    const char* name;
    const char* dims;  // "" a scalar; "*" the shape of the input of dims "*"
};

In batch(const char* name, const char* dims) { return {name, Form::Batch, dims}; }
In array(const char* name, const char* dims) { return {name, Form::Array, dims}; }
In weights(const char* name, const char* dims) { return {name, Form::Weights, dims}; }
In scalar(const char* name) { return {name, Form::Scalar}; }
In labels(const char* name, const char* dims) { return {name, Form::Labels, dims}; }
In binary(const char* name, const char* dims, const char* kind) {
    return {name, Form::Binary, dims, kind};
}
In factor(const char* name) { return {name, Form::Factor}; }
In rate(const char* name) { return {name, Form::Rate}; }
In count(const char* name, long least, const char* dims = "") {
    return {name, Form::Count, dims, "", least};
}
In bytes(const char* name, const char* dims) { return {name, Form::Bytes, dims}; }
In ints(const char* name, const char* dims) { return {name, Form::Ints, dims}; }
In keys(const char* name, const char* dims) { return {name, Form::Keys, dims}; }
In integer(const char* name) { return {name, Form::Integer}; }
In pairs(const char* name) { return {name, Form::Pairs}; }

// The values a param may take (none listed: any JSON number); any other is a request the kit
// cannot understand.
const std::map<std::string, std::vector<std::string>> PARAM_VALUES = {
    {"weights_layout", {"inputs_neurons", "neurons_inputs"}},
    {"label_format", {"sparse", "onehot"}},
    {"path", {"combined", "separate"}},
    {"optimizer", {"sgd", "adagrad", "rmsprop", "adam"}},
    {"activation", {"softmax", "sigmoid", "linear"}},
    {"dataset", {"spiral", "vertical", "sine"}},
    {"printed", {"dense1_output", "softmax_output", "loss", "accuracy", "dweights1", "dbiases1",
                 "dweights2", "dbiases2", "weights1", "biases1", "weights2", "biases2",
                 "learning_rate"}},
    {"scale", {}},
    {"learning_rate", {}},
    {"decay", {}},
    {"momentum", {}},
};

// The book tier passes its integers as std::uint32_t (np.random.seed's range) or std::size_t;
// a larger one is declined, as NumPy refuses such a seed and no such count fits in memory.
constexpr double MAX_BOOK_INTEGER = 4294967295.0;

std::vector<std::string> split(const char* dims) {
    std::vector<std::string> symbols;
    std::istringstream words(dims);
    for (std::string word; words >> word;) symbols.push_back(word);
    return symbols;
}

// ---------------------------------------------------------------------------------------------
// Checking a run message's inputs, in the order the reference does (docs/STAGES.md): each
// input's empty batch, ragged rows, rank and shape; then labels and the other domains.

class Args {
public:
    Args(const std::string& stage, const json& inputs, const json& params)
        : stage_(stage), inputs_(inputs), params_(params) {}

    const json& get(const std::string& name) const {
        auto found = inputs_.find(name);
        if (found == inputs_.end())
            throw BadRequest("the run message for " + stage_ + " has no input \"" + name + "\"");
        return *found;
    }
    const std::string& param(const std::string& name) const {
        return params_.at(name).get_ref<const std::string&>();
    }

    void check_shape(const In& in) {
        const json& value = get(in.name);
        switch (in.form) {
        case Form::Batch:
            if (value.is_array() && value.empty())
                throw InvalidInput{"empty_batch", std::string(in.name) + " has no samples"};
            fit(in.name, shape_of(in.name, value), split(in.dims));
            numbers(in.name, value);
            return;
        case Form::Array:
            if (std::string(in.dims) == "*") {
                Shape shape = shape_of(in.name, value);
                if (shape.size() != 1 && shape.size() != 2)
                    throw InvalidInput{"shape_mismatch", std::string(in.name) +
                        " must have rank 1 or 2, has shape " + show(shape)};
                fit_whole(in.name, shape);
            } else {
                fit(in.name, shape_of(in.name, value), split(in.dims));
            }
            numbers(in.name, value);
            return;
        case Form::Weights: {
            auto dims = split(in.dims);
            if (transposed(in)) std::swap(dims[0], dims[1]);
            fit(in.name, shape_of(in.name, value), dims);
            numbers(in.name, value);
            return;
        }
        case Form::Bytes:  // its entries are checked with the domains
            if (value.is_array() && value.empty())
                throw InvalidInput{"empty_batch", std::string(in.name) + " has no samples"};
            fit(in.name, shape_of(in.name, value), split(in.dims));
            return;
        case Form::Binary:  // so are these
        case Form::Ints:
        case Form::Keys:
            fit(in.name, shape_of(in.name, value), split(in.dims));
            return;
        case Form::Labels: {
            auto dims = split(in.dims);
            if (param("label_format") == "sparse") dims.resize(1);
            fit(in.name, shape_of(in.name, value), dims);
            return;
        }
        case Form::Scalar:
        case Form::Factor:
        case Form::Rate:
            if (!is_number(value))
                throw InvalidInput{"shape_mismatch", std::string(in.name) +
                                                         " must be a single number"};
            return;
        case Form::Count:
            return;
        case Form::Integer:
            integers_[in.name] = book_integer(in.name, value);
            return;
        case Form::Pairs: {
            Shape shape = shape_of(in.name, value);
            if (shape.size() != 2 || shape[1] != 2)
                throw InvalidInput{"shape_mismatch", std::string(in.name) + " has shape " +
                    show(shape) + ", not a list of [integer, integer] pairs"};
            auto& list = pairs_[in.name];
            for (std::size_t i = 0; i < value.size(); i++) {
                std::string item = std::string(in.name) + "[" + std::to_string(i) + "]";
                list.emplace_back(book_integer(item + "[0]", value[i][0]),
                                  book_integer(item + "[1]", value[i][1]));
            }
            return;
        }
        }
    }

    void check_domain(const In& in) {
        const json& value = get(in.name);
        switch (in.form) {
        case Form::Labels:
            if (param("label_format") == "sparse")
                sparse_labels(in.name, value, bound_.at(split(in.dims)[1])[0]);
            else
                onehot_labels(in.name, value);
            return;
        case Form::Binary:
            for (std::size_t i = 0; i < value.size(); i++)
                for (std::size_t j = 0; j < value[i].size(); j++)
                    if (!is_01(value[i][j]))
                        throw InvalidInput{in.kind, std::string(in.name) + "[" +
                            std::to_string(i) + "][" + std::to_string(j) + "] is " +
                            value[i][j].dump() + ", not 0 or 1"};
            return;
        case Form::Factor:
            if (!(number(value) >= 0))  // NaN is outside every domain
                throw InvalidInput{"invalid_value",
                                   std::string(in.name) + " is " + value.dump() + ", not >= 0"};
            return;
        case Form::Bytes:
            each_entry(in.name, value, [](const std::string& where, const json& v) {
                if (!is_whole(v) || v.get<double>() < 0 || v.get<double>() > 255)
                    throw InvalidInput{"invalid_value",
                                       where + " is " + v.dump() + ", not a byte 0-255"};
            });
            return;
        case Form::Ints:
            each_entry(in.name, value, [](const std::string& where, const json& v) {
                if (!is_whole(v))
                    throw InvalidInput{"shape_mismatch", where + " is " + v.dump() +
                                                             ", not an integer"};
                if (std::fabs(v.get<double>()) > std::numeric_limits<int>::max())
                    throw Unsupported(where + " is " + v.dump() +
                                      ": the C++ kit passes these integers as int");
            });
            return;
        case Form::Keys: {
            std::vector<bool> seen(value.size());
            for (std::size_t i = 0; i < value.size(); i++) {
                std::string where = std::string(in.name) + "[" + std::to_string(i) + "]";
                const json& v = value[i];
                if (!is_whole(v))  // a fractional key is outside the domain, as a count's
                    throw InvalidInput{"invalid_value", std::string(in.name) +
                                                            " is not a permutation of integers: " +
                                                            where + " is " + v.dump()};
                double key = v.get<double>();
                if (key < 0 || key >= static_cast<double>(value.size()) ||
                    seen[static_cast<std::size_t>(key)])
                    throw InvalidInput{"invalid_value",
                                       std::string(in.name) + " is not a permutation of 0.." +
                                           std::to_string(value.size() - 1) + ": " + where +
                                           " is " + v.dump()};
                seen[static_cast<std::size_t>(key)] = true;
            }
            return;
        }
        case Form::Rate: {
            double x = number(value);
            if (!(x >= 0 && x < 1))
                throw InvalidInput{"invalid_value", std::string(in.name) + " is " +
                                                        value.dump() + ", not in [0, 1)"};
            return;
        }
        case Form::Count: {
            bool integer = value.is_number_integer() ||
                (value.is_number_float() && std::isfinite(value.get<double>()) &&
                 value.get<double>() == std::trunc(value.get<double>()));
            double x = integer ? value.get<double>() : 0;
            if (!integer || x < in.least || x > 9007199254740992.0)
                throw InvalidInput{"invalid_value", std::string(in.name) + " is " +
                    value.dump() + ", not an integer >= " + std::to_string(in.least)};
            counts_[in.name] = static_cast<long>(x);
            if (*in.dims) bound_[in.dims] = {static_cast<std::size_t>(x)};
            return;
        }
        default:
            return;
        }
    }

    // The inputs as the learner receives them (they have passed every check).
    Vector vector(const std::string& name) const {
        Vector values;
        for (const auto& item : get(name)) values.push_back(number(item));
        return values;
    }
    Matrix matrix(const std::string& name) const {
        const json& value = get(name);
        if (value.empty() || !value[0].is_array()) {  // a rank-1 input of dims "*": one row
            Matrix row(1, value.size());
            for (std::size_t c = 0; c < value.size(); c++) row.data[c] = number(value[c]);
            return row;
        }
        Matrix m(value.size(), value.empty() ? 0 : value[0].size());
        for (std::size_t r = 0; r < m.rows; r++)
            for (std::size_t c = 0; c < m.cols; c++) m(r, c) = number(value[r][c]);
        return m;
    }
    // Layer_Dense's (K x N) weights, whichever layout they were sent in.
    Matrix layer_weights(const In& in) const {
        Matrix sent = matrix(in.name);
        if (!transposed(in)) return sent;
        Matrix t(sent.cols, sent.rows);
        for (std::size_t r = 0; r < sent.rows; r++)
            for (std::size_t c = 0; c < sent.cols; c++) t(c, r) = sent(r, c);
        return t;
    }
    double scalar(const std::string& name) const { return number(get(name)); }
    std::vector<int> ints(const std::string& name) const {
        std::vector<int> values;
        for (const auto& item : get(name)) values.push_back(static_cast<int>(item.get<double>()));
        return values;
    }
    std::vector<std::size_t> keys(const std::string& name) const {
        std::vector<std::size_t> values;
        for (const auto& item : get(name))
            values.push_back(static_cast<std::size_t>(item.get<double>()));
        return values;
    }
    Images images(const std::string& name) const {
        const json& value = get(name);
        Images images;
        images.samples = value.size();
        images.height = value[0].size();
        images.width = images.height ? value[0][0].size() : 0;
        for (const auto& image : value)
            for (const auto& row : image)
                for (const auto& pixel : row)
                    images.data.push_back(static_cast<std::uint8_t>(pixel.get<double>()));
        return images;
    }
    long count(const std::string& name) const { return counts_.at(name); }
    std::size_t integer(const std::string& name) const { return integers_.at(name); }
    std::uint32_t seed() const { return static_cast<std::uint32_t>(integers_.at("seed")); }
    const std::vector<std::pair<std::size_t, std::size_t>>& pairs(const std::string& name) const {
        return pairs_.at(name);
    }
    double number_param(const std::string& name) const { return number(params_.at(name)); }

    // An output's dimension that the inputs imply only through the stage's meaning (the book
    // tier: how many values rng draws, the rows of a dataset); a whole shape, maybe of rank 0.
    void bind(const std::string& symbol, Shape shape) { bound_[symbol] = std::move(shape); }
    Labels labels(const std::string& name) const {
        if (param("label_format") == "onehot") return matrix(name);
        std::vector<int> classes;
        for (const auto& item : get(name)) classes.push_back(static_cast<int>(number(item)));
        return classes;
    }

    // The size (a whole shape, maybe of rank 0) the inputs gave a dimension; null when only
    // the outputs show it (batches' S: how many batches the learner cut).
    const Shape* size(const std::string& symbol) const {
        auto found = bound_.find(symbol);
        return found == bound_.end() ? nullptr : &found->second;
    }

private:
    // A book integer: a JSON number that is a whole number >= 0 (3.0 is 3), as the reference's
    // checks.integer; past 2^32 - 1 the case is declined.
    static std::size_t book_integer(const std::string& name, const json& value) {
        bool whole = value.is_number() && std::isfinite(value.get<double>()) &&
                     value.get<double>() == std::trunc(value.get<double>());
        if (!whole || value.get<double>() < 0)
            throw InvalidInput{"shape_mismatch", name + " is " + value.dump() +
                                                     ", not an integer >= 0"};
        if (value.get<double>() > MAX_BOOK_INTEGER)
            throw Unsupported(name + " is " + value.dump() +
                              ": the C++ kit passes the book's integers up to 2^32 - 1");
        return static_cast<std::size_t>(value.get<double>());
    }

    // The shape of a nested list; lists of different lengths or depths are ragged rows.
    static Shape shape_of(const char* name, const json& value) {
        if (!value.is_array()) return {};
        if (value.empty()) return {0};
        Shape inner = shape_of(name, value[0]);
        for (std::size_t i = 1; i < value.size(); i++)
            if (shape_of(name, value[i]) != inner)
                throw InvalidInput{"ragged_rows",
                                   std::string(name) + " has rows of different lengths"};
        inner.insert(inner.begin(), value.size());
        return inner;
    }

    // Every entry of an array is a number (or one of the strings NaN, Infinity, -Infinity).
    static void numbers(const std::string& name, const json& value) {
        if (value.is_array()) {
            for (std::size_t i = 0; i < value.size(); i++)
                numbers(name + "[" + std::to_string(i) + "]", value[i]);
        } else if (!is_number(value)) {
            throw InvalidInput{"shape_mismatch", name + " is " + value.dump() + ", not a number"};
        }
    }

    // Binds each dimension's name to its size at its first sight; later sights must agree.
    void fit(const char* name, const Shape& shape, const std::vector<std::string>& dims) {
        std::string want;
        bool fits = shape.size() == dims.size();
        for (std::size_t i = 0; i < dims.size(); i++) {
            auto found = bound_.find(dims[i]);
            bool known = found != bound_.end();
            want += (i ? ", " : "") + (known ? std::to_string(found->second[0]) : dims[i]);
            if (fits && known && found->second[0] != shape[i]) fits = false;
        }
        if (!fits)
            throw InvalidInput{"shape_mismatch", std::string(name) + " has shape " + show(shape) +
                                                     ", not [" + want + "]"};
        for (std::size_t i = 0; i < dims.size(); i++) bound_.emplace(dims[i], Shape{shape[i]});
    }
    void fit_whole(const char* name, const Shape& shape) {
        auto found = bound_.find("*");
        if (found != bound_.end() && found->second != shape)
            throw InvalidInput{"shape_mismatch", std::string(name) + " has shape " + show(shape) +
                                                     ", not " + show(found->second)};
        bound_["*"] = shape;
    }

    bool transposed(const In& in) const {
        return in.form == Form::Weights && param("weights_layout") == "neurons_inputs";
    }

    // A JSON number that is a whole number (3.0 is 3); never true or false.
    static bool is_whole(const json& v) {
        return v.is_number() && std::isfinite(v.get<double>()) &&
               v.get<double>() == std::trunc(v.get<double>());
    }

    // Every leaf of a nested array, with where it is: images[0][1][2].
    template <typename Check>
    static void each_entry(const std::string& where, const json& value, const Check& check) {
        if (!value.is_array()) return check(where, value);
        for (std::size_t i = 0; i < value.size(); i++)
            each_entry(where + "[" + std::to_string(i) + "]", value[i], check);
    }

    static bool is_01(const json& v) {
        return v.is_number() && (v.get<double>() == 0 || v.get<double>() == 1);
    }

    static void sparse_labels(const char* name, const json& value, std::size_t classes) {
        for (std::size_t i = 0; i < value.size(); i++) {
            const json& label = value[i];
            std::string which =
                std::string(name) + "[" + std::to_string(i) + "] is " + label.dump();
            double x = label.is_number() ? label.get<double>() : 0.5;
            if (!std::isfinite(x) || x != std::trunc(x))
                throw InvalidInput{"invalid_label", which + ", not an integer"};
            if (x < 0 || x >= static_cast<double>(classes))
                throw InvalidInput{"label_out_of_range",
                                   which + ", not in [0, " + std::to_string(classes) + ")"};
        }
    }

    static void onehot_labels(const char* name, const json& value) {
        for (std::size_t i = 0; i < value.size(); i++) {
            int ones = 0;
            bool binary = true;
            for (const auto& v : value[i]) {
                binary = binary && is_01(v);
                ones += binary && v.get<double>() == 1;
            }
            if (!binary || ones != 1)
                throw InvalidInput{"invalid_label", std::string(name) + "[" + std::to_string(i) +
                                                        "] is " + value[i].dump() +
                                                        ", not one 1 among 0s"};
        }
    }

    std::string stage_;
    const json& inputs_;
    const json& params_;
    std::map<std::string, Shape> bound_;  // dimension name -> its size ("*": a whole shape)
    std::map<std::string, long> counts_;
    std::map<std::string, std::size_t> integers_;
    std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> pairs_;
};

// ---------------------------------------------------------------------------------------------
// The reply's outputs, each checked against the shape its dims promise

class Outputs {
public:
    Outputs(const std::string& stage, const std::vector<Out>& outs, const Args& args)
        : stage_(stage), outs_(outs), args_(args) {}

    void put(const char* name, double x) { add(name, {}, encode(x)); }
    void put(const char* name, long n) { add(name, {}, n); }
    void put(const char* name, const Vector& v) { add(name, {v.size()}, list(v)); }
    void put(const char* name, const std::vector<int>& v) { add(name, {v.size()}, v); }
    void put(const char* name, const std::vector<long>& v) { add(name, {v.size()}, v); }
    void put(const char* name, const std::vector<std::size_t>& v) { add(name, {v.size()}, v); }
    // A book-tier output of one form or another (dataset's y, chapters' value).
    template <typename... Forms>
    void put(const char* name, const std::variant<Forms...>& value) {
        std::visit([this, name](const auto& form) { put(name, form); }, value);
    }
    void put(const char* name, const Matrix& m) {
        const Shape* whole = args_.size("*");
        if (std::strcmp(dims(name), "*") == 0 && whole && whole->size() == 1) {
            // a rank-1 input of dims "*" came as one row: it goes back flat
            add(name, shape(name, m) == Shape{1, (*whole)[0]} ? *whole : shape(name, m),
                list(m.data));
            return;
        }
        add(name, shape(name, m), list(m));
    }
    void put(const char* name, const IntMatrix& m) {
        if (m.data.size() != m.rows * m.cols)
            throw BadOutput(stage_ + ": output \"" + name + "\" is an IntMatrix of " +
                            std::to_string(m.rows) + " x " + std::to_string(m.cols) + " with " +
                            std::to_string(m.data.size()) + " values in data");
        ordered value = ordered::array();
        for (std::size_t r = 0; r < m.rows; r++)
            value.push_back(std::vector<int>(m.data.begin() + r * m.cols,
                                             m.data.begin() + (r + 1) * m.cols));
        add(name, {m.rows, m.cols}, std::move(value));
    }
    void put(const char* name, const std::vector<Vector>& rows) {
        ordered value = ordered::array();
        for (const auto& row : rows) {
            if (row.size() != rows[0].size()) ragged(name);
            value.push_back(list(row));
        }
        add(name, {rows.size(), rows.empty() ? 0 : rows[0].size()}, std::move(value));
    }
    void put(const char* name, const std::vector<Matrix>& steps) {
        ordered value = ordered::array();
        Shape got{steps.size(), 0, 0};
        for (const auto& m : steps) {
            Shape s = shape(name, m);
            if (&m == &steps[0]) std::copy(s.begin(), s.end(), got.begin() + 1);
            if (s != Shape(got.begin() + 1, got.end())) ragged(name);
            value.push_back(list(m));
        }
        add(name, got, std::move(value));
    }

    ordered take() {
        for (const auto& out : outs_)
            if (!values_.contains(out.name))
                throw std::logic_error("nnfs_kit: " + stage_ + " did not put " + out.name);
        return std::move(values_);
    }

private:
    const char* dims(const char* name) const {
        for (const auto& out : outs_)
            if (std::strcmp(out.name, name) == 0) return out.dims;
        throw std::logic_error("nnfs_kit: " + stage_ + " has no output " + name);
    }
    [[noreturn]] void ragged(const char* name) const {
        throw BadOutput(stage_ + ": output \"" + name + "\" has items of different shapes");
    }
    Shape shape(const char* name, const Matrix& m) const {
        if (m.data.size() != m.rows * m.cols)
            throw BadOutput(stage_ + ": output \"" + name + "\" is a Matrix of " +
                            std::to_string(m.rows) + " x " + std::to_string(m.cols) + " with " +
                            std::to_string(m.data.size()) + " values in data");
        return {m.rows, m.cols};
    }
    // The shape an output must have: its dimensions' sizes as the inputs gave them; one that
    // only outputs show takes its size from the first output to show it, and every later
    // output must agree.
    Shape expected(const char* name, const Shape& got) {
        Shape want;
        for (const auto& symbol : split(dims(name))) {
            const Shape* part = args_.size(symbol);
            if (part == nullptr) {
                auto shown = shown_.find(symbol);
                if (shown == shown_.end() && want.size() < got.size())
                    shown = shown_.emplace(symbol, Shape{got[want.size()]}).first;
                if (shown == shown_.end()) {  // the output's rank is too small to show it
                    want.push_back(0);
                    continue;
                }
                part = &shown->second;
            }
            want.insert(want.end(), part->begin(), part->end());
        }
        return want;
    }
    void add(const char* name, const Shape& got, ordered value) {
        Shape want = expected(name, got);
        if (got != want)
            throw BadOutput(stage_ + ": output \"" + name + "\" has shape " + show(got) +
                            ", expected " + show(want));
        values_[name] = std::move(value);
    }
    static ordered list(const Vector& v) {
        ordered value = ordered::array();
        for (double x : v) value.push_back(encode(x));
        return value;
    }
    static ordered list(const Matrix& m) {
        ordered value = ordered::array();
        for (std::size_t r = 0; r < m.rows; r++)
            value.push_back(list(Vector(m.data.begin() + r * m.cols,
                                        m.data.begin() + (r + 1) * m.cols)));
        return value;
    }

    std::string stage_;
    const std::vector<Out>& outs_;
    const Args& args_;
    std::map<std::string, Shape> shown_;  // dimensions only the outputs show
    ordered values_ = ordered::object();
};

// ---------------------------------------------------------------------------------------------
// The optimizer steps share their glue: the layer's state and hyperparameters by name.

const std::map<std::string, Matrix LayerState::*> WEIGHT_STATE = {
    {"weight_momentums", &LayerState::weight_momentums},
    {"weight_cache", &LayerState::weight_cache}};
const std::map<std::string, Vector LayerState::*> BIAS_STATE = {
    {"bias_momentums", &LayerState::bias_momentums}, {"bias_cache", &LayerState::bias_cache}};
const std::map<std::string, double Hyperparameters::*> HYPERPARAMETERS = {
    {"learning_rate", &Hyperparameters::learning_rate}, {"decay", &Hyperparameters::decay},
    {"momentum", &Hyperparameters::momentum}, {"epsilon", &Hyperparameters::epsilon},
    {"rho", &Hyperparameters::rho}, {"beta_1", &Hyperparameters::beta_1},
    {"beta_2", &Hyperparameters::beta_2}};

Hyperparameters hyperparameters(const std::vector<In>& inputs, const Args& a) {
    Hyperparameters h;
    for (const auto& in : inputs)
        if (HYPERPARAMETERS.count(in.name)) h.*HYPERPARAMETERS.at(in.name) = a.scalar(in.name);
    return h;
}

void optimizer_step(const Stages::OptimizerStep& step, const std::vector<In>& inputs,
                    const Args& a, Outputs& out) {
    LayerState layer;
    layer.weights = a.matrix("weights");
    layer.biases = a.vector("biases");
    layer.dweights = a.matrix("dweights");
    layer.dbiases = a.vector("dbiases");
    for (auto& [name, field] : WEIGHT_STATE)
        layer.*field = Matrix(layer.weights.rows, layer.weights.cols);
    for (auto& [name, field] : BIAS_STATE) layer.*field = Vector(layer.biases.size());
    for (const auto& in : inputs) {
        if (WEIGHT_STATE.count(in.name)) layer.*WEIGHT_STATE.at(in.name) = a.matrix(in.name);
        if (BIAS_STATE.count(in.name)) layer.*BIAS_STATE.at(in.name) = a.vector(in.name);
    }
    StepResult result = step(layer, a.count("iterations"), hyperparameters(inputs, a));
    out.put("weights", layer.weights);
    out.put("biases", layer.biases);
    for (const auto& in : inputs) {
        if (WEIGHT_STATE.count(in.name)) out.put(in.name, layer.*WEIGHT_STATE.at(in.name));
        if (BIAS_STATE.count(in.name)) out.put(in.name, layer.*BIAS_STATE.at(in.name));
    }
    out.put("learning_rate", result.learning_rate);
    out.put("iterations", result.iterations);
}

// ---------------------------------------------------------------------------------------------
// The stages: one declaration each, in the suite's order

struct Stage {
    const char* name;
    std::vector<In> inputs;  // in the order they are checked
    std::vector<const char*> params;
    std::vector<Out> outputs;
    bool (*declared)(const Stages&);
    void (*call)(const Stages&, const std::vector<In>& inputs, const Args&, Outputs&);
    // Binds the output dimensions the inputs imply through their meaning (after the checks).
    void (*sizes)(Args&) = nullptr;
};

#define NNFS_DECLARED(stage) [](const Stages& s) { return bool(s.stage); }
#define NNFS_CALL \
    [](const Stages& s, [[maybe_unused]] const std::vector<In>& in, const Args& a, Outputs& out)

std::vector<In> optimizer_inputs(std::vector<const char*> state, std::vector<const char*> hyper) {
    std::vector<In> inputs = {array("weights", "K N"), array("biases", "N"),
                              array("dweights", "K N"), array("dbiases", "N")};
    for (const char* name : state)
        inputs.push_back(array(name, name[0] == 'w' ? "K N" : "N"));
    inputs.push_back(count("iterations", 0));
    for (const char* name : hyper) inputs.push_back(scalar(name));
    return inputs;
}

std::vector<Out> optimizer_outputs(std::vector<const char*> state) {
    std::vector<Out> outputs = {{"weights", "K N"}, {"biases", "N"}};
    for (const char* name : state) outputs.push_back({name, name[0] == 'w' ? "K N" : "N"});
    outputs.push_back({"learning_rate", ""});
    outputs.push_back({"iterations", ""});
    return outputs;
}

const std::vector<const char*> MOMENTUMS = {"weight_momentums", "bias_momentums"};
const std::vector<const char*> CACHE = {"weight_cache", "bias_cache"};
const std::vector<const char*> ADAM_STATE = {"weight_momentums", "bias_momentums",
                                             "weight_cache", "bias_cache"};

// Chapter 4's network, Dense(K, H) -> ReLU -> Dense(H, C), as dense_relu_dense_softmax and
// parameters take it.
std::vector<In> network_inputs() {
    return {batch("inputs", "B K"), array("weights1", "K H"), array("biases1", "H"),
            array("weights2", "H C"), array("biases2", "C")};
}

// One of shared_optimizer's layers ("1" or "2"), with Adam's state at zeros.
LayerState adam_layer(const Args& a, const std::string& i) {
    LayerState layer;
    layer.weights = a.matrix("weights" + i);
    layer.biases = a.vector("biases" + i);
    layer.dweights = a.matrix("dweights" + i);
    layer.dbiases = a.vector("dbiases" + i);
    layer.weight_momentums = layer.weight_cache = Matrix(layer.weights.rows, layer.weights.cols);
    layer.bias_momentums = layer.bias_cache = Vector(layer.biases.size());
    return layer;
}

// Output shapes that follow from what the inputs mean rather than from their dimensions.
void preprocess_sizes(Args& a) {  // P: an image's pixels in one row
    a.bind("P", {(*a.size("H"))[0] * (*a.size("W"))[0]});
}

void predictions_sizes(Args& a) {  // P: class indices (B) for softmax, else rows like inputs
    Shape batch = *a.size("B");
    if (a.param("activation") != "softmax") batch.push_back((*a.size("N"))[0]);
    a.bind("P", batch);
}

// The book tier's output shapes, from what its integers mean (docs/STAGES.md).
void rng_sizes(Args& a) {  // V: the values the calls draw
    std::size_t values = 0;
    for (std::size_t i = 0; i < a.pairs("calls").size(); i++) {
        auto [kind, count] = a.pairs("calls")[i];
        if (kind > 2)
            throw InvalidInput{"shape_mismatch", "calls[" + std::to_string(i) + "] has kind " +
                                                     std::to_string(kind) + ", not 0, 1 or 2"};
        values += count;
    }
    a.bind("V", {values});
}

void datasets_sizes(Args& a) {  // R rows of D values; y: R labels, or (sine) R rows of one
    bool sine = a.param("dataset") == "sine";
    std::size_t rows = a.integer("samples") * (sine ? 1 : a.integer("classes"));
    a.bind("R", {rows});
    a.bind("D", {sine ? 1u : 2u});
    a.bind("Y", sine ? Shape{rows, 1} : Shape{rows});
}

void init_sizes(Args& a) {  // W: every layer's weights
    std::size_t weights = 0;
    for (auto [n_inputs, n_neurons] : a.pairs("shapes")) weights += n_inputs * n_neurons;
    a.bind("W", {weights});
}

void shuffle_sizes(Args& a) { a.bind("N", {a.integer("samples")}); }

void chapters_sizes(Args& a) {  // P: the shape of what is printed
    std::size_t rows = a.integer("samples") * a.integer("classes");
    std::size_t hidden = a.integer("hidden"), classes = a.integer("classes");
    const std::map<std::string, Shape> printed = {
        {"dense1_output", {std::min<std::size_t>(rows, 5), hidden}},
        {"softmax_output", {std::min<std::size_t>(rows, 5), classes}},
        {"loss", {}}, {"accuracy", {}}, {"learning_rate", {}},
        {"dweights1", {2, hidden}}, {"weights1", {2, hidden}},
        {"dbiases1", {1, hidden}}, {"biases1", {1, hidden}},
        {"dweights2", {hidden, classes}}, {"weights2", {hidden, classes}},
        {"dbiases2", {1, classes}}, {"biases2", {1, classes}},
    };
    a.bind("P", printed.at(a.param("printed")));
}

std::vector<RngCall> rng_calls(const Args& a) {
    std::vector<RngCall> calls;
    for (auto [kind, count] : a.pairs("calls")) calls.push_back({static_cast<int>(kind), count});
    return calls;
}

std::vector<LayerShape> layer_shapes(const Args& a) {
    std::vector<LayerShape> shapes;
    for (auto [n_inputs, n_neurons] : a.pairs("shapes")) shapes.push_back({n_inputs, n_neurons});
    return shapes;
}

const std::vector<Stage>& stages() {
    static const std::vector<Stage> table = {
        {"neuron", {array("inputs", "K"), array("weights", "K"), scalar("bias")}, {},
         {{"output", ""}}, NNFS_DECLARED(neuron), NNFS_CALL {
             out.put("output", s.neuron(a.vector("inputs"), a.vector("weights"), a.scalar("bias")));
         }},
        {"layer", {array("inputs", "K"), array("weights", "N K"), array("biases", "N")}, {},
         {{"output", "N"}}, NNFS_DECLARED(layer), NNFS_CALL {
             out.put("output",
                     s.layer(a.vector("inputs"), a.matrix("weights"), a.vector("biases")));
         }},
        {"dense_batch", {batch("inputs", "B K"), weights("weights", "K N"), array("biases", "N")},
         {"weights_layout"}, {{"output", "B N"}}, NNFS_DECLARED(dense_batch), NNFS_CALL {
             out.put("output", s.dense_batch(a.matrix("inputs"), a.layer_weights(in[1]),
                                             a.vector("biases")));
         }},
        {"relu", {array("inputs", "*")}, {}, {{"output", "*"}}, NNFS_DECLARED(relu), NNFS_CALL {
             out.put("output", s.relu(a.matrix("inputs")));
         }},
        {"dense_relu", {batch("inputs", "B K"), array("weights", "K N"), array("biases", "N")},
         {}, {{"dense", "B N"}, {"relu", "B N"}}, NNFS_DECLARED(dense_relu), NNFS_CALL {
             DenseReluOutput r =
                 s.dense_relu(a.matrix("inputs"), a.matrix("weights"), a.vector("biases"));
             out.put("dense", r.dense);
             out.put("relu", r.relu);
         }},
        {"softmax", {batch("inputs", "B C")}, {}, {{"output", "B C"}}, NNFS_DECLARED(softmax),
         NNFS_CALL { out.put("output", s.softmax(a.matrix("inputs"))); }},
        {"dense_relu_dense_softmax", network_inputs(), {},
         {{"dense1", "B H"}, {"relu1", "B H"}, {"dense2", "B C"}, {"softmax", "B C"}},
         NNFS_DECLARED(dense_relu_dense_softmax), NNFS_CALL {
             NetworkOutput r = s.dense_relu_dense_softmax(
                 a.matrix("inputs"), a.matrix("weights1"), a.vector("biases1"),
                 a.matrix("weights2"), a.vector("biases2"));
             out.put("dense1", r.dense1);
             out.put("relu1", r.relu1);
             out.put("dense2", r.dense2);
             out.put("softmax", r.softmax);
         }},
        {"categorical_crossentropy", {batch("y_pred", "B C"), labels("y_true", "B C")},
         {"label_format"}, {{"sample_losses", "B"}, {"loss", ""}},
         NNFS_DECLARED(categorical_crossentropy), NNFS_CALL {
             LossOutput r = s.categorical_crossentropy(a.matrix("y_pred"), a.labels("y_true"));
             out.put("sample_losses", r.sample_losses);
             out.put("loss", r.loss);
         }},
        {"accuracy", {batch("y_pred", "B C"), labels("y_true", "B C")}, {"label_format"},
         {{"predictions", "B"}, {"accuracy", ""}}, NNFS_DECLARED(accuracy), NNFS_CALL {
             AccuracyOutput r = s.accuracy(a.matrix("y_pred"), a.labels("y_true"));
             out.put("predictions", r.predictions);
             out.put("accuracy", r.accuracy);
         }},
        {"forward",
         {batch("inputs", "B K"), array("weights1", "K H"), array("biases1", "H"),
          array("weights2", "H C"), array("biases2", "C"), labels("y_true", "B C")},
         {"label_format"},
         {{"dense1", "B H"}, {"relu1", "B H"}, {"dense2", "B C"}, {"softmax", "B C"},
          {"sample_losses", "B"}, {"loss", ""}, {"predictions", "B"}, {"accuracy", ""}},
         NNFS_DECLARED(forward), NNFS_CALL {
             ForwardOutput r = s.forward(a.matrix("inputs"), a.matrix("weights1"),
                                         a.vector("biases1"), a.matrix("weights2"),
                                         a.vector("biases2"), a.labels("y_true"));
             out.put("dense1", r.dense1);
             out.put("relu1", r.relu1);
             out.put("dense2", r.dense2);
             out.put("softmax", r.softmax);
             out.put("sample_losses", r.sample_losses);
             out.put("loss", r.loss);
             out.put("predictions", r.predictions);
             out.put("accuracy", r.accuracy);
         }},
        {"dense_backward",
         {batch("inputs", "B K"), array("weights", "K N"), array("dvalues", "B N")}, {},
         {{"dweights", "K N"}, {"dbiases", "N"}, {"dinputs", "B K"}},
         NNFS_DECLARED(dense_backward), NNFS_CALL {
             DenseGradients r = s.dense_backward(a.matrix("inputs"), a.matrix("weights"),
                                                 a.matrix("dvalues"));
             out.put("dweights", r.dweights);
             out.put("dbiases", r.dbiases);
             out.put("dinputs", r.dinputs);
         }},
        {"relu_backward", {array("inputs", "*"), array("dvalues", "*")}, {},
         {{"dinputs", "*"}}, NNFS_DECLARED(relu_backward), NNFS_CALL {
             out.put("dinputs", s.relu_backward(a.matrix("inputs"), a.matrix("dvalues")));
         }},
        // The second batch has its own size, D; dvalues flows back from it.
        {"repeated_forward",
         {batch("inputs1", "B K"), batch("inputs2", "D K"), array("weights", "K N"),
          array("biases", "N"), array("dvalues", "D N")},
         {},
         {{"output1", "B N"}, {"output2", "D N"}, {"dweights", "K N"}, {"dbiases", "N"},
          {"dinputs", "D K"}},
         NNFS_DECLARED(repeated_forward), NNFS_CALL {
             RepeatedForwardOutput r = s.repeated_forward(
                 a.matrix("inputs1"), a.matrix("inputs2"), a.matrix("weights"),
                 a.vector("biases"), a.matrix("dvalues"));
             out.put("output1", r.output1);
             out.put("output2", r.output2);
             out.put("dweights", r.dweights);
             out.put("dbiases", r.dbiases);
             out.put("dinputs", r.dinputs);
         }},
        {"softmax_backward", {batch("output", "B C"), array("dvalues", "B C")}, {},
         {{"dinputs", "B C"}}, NNFS_DECLARED(softmax_backward), NNFS_CALL {
             out.put("dinputs", s.softmax_backward(a.matrix("output"), a.matrix("dvalues")));
         }},
        {"categorical_crossentropy_backward", {batch("y_pred", "B C"), labels("y_true", "B C")},
         {"label_format"}, {{"dinputs", "B C"}},
         NNFS_DECLARED(categorical_crossentropy_backward), NNFS_CALL {
             out.put("dinputs", s.categorical_crossentropy_backward(a.matrix("y_pred"),
                                                                    a.labels("y_true")));
         }},
        {"softmax_crossentropy_backward", {batch("y_pred", "B C"), labels("y_true", "B C")},
         {"label_format", "path"}, {{"dinputs", "B C"}},
         NNFS_DECLARED(softmax_crossentropy_backward), NNFS_CALL {
             out.put("dinputs", s.softmax_crossentropy_backward(
                                    a.matrix("y_pred"), a.labels("y_true"), a.param("path")));
         }},
        {"regularization",
         {array("weights", "K N"), array("biases", "N"), factor("weight_regularizer_l1"),
          factor("weight_regularizer_l2"), factor("bias_regularizer_l1"),
          factor("bias_regularizer_l2")},
         {}, {{"loss", ""}, {"dweights", "K N"}, {"dbiases", "N"}},
         NNFS_DECLARED(regularization), NNFS_CALL {
             Regularizers f{a.scalar("weight_regularizer_l1"), a.scalar("weight_regularizer_l2"),
                            a.scalar("bias_regularizer_l1"), a.scalar("bias_regularizer_l2")};
             RegularizationOutput r = s.regularization(a.matrix("weights"), a.vector("biases"), f);
             out.put("loss", r.loss);
             out.put("dweights", r.dweights);
             out.put("dbiases", r.dbiases);
         }},
        {"dropout",
         {batch("inputs", "B N"), binary("mask", "B N", "invalid_value"), rate("rate"),
          array("dvalues", "B N")},
         {}, {{"output", "B N"}, {"dinputs", "B N"}}, NNFS_DECLARED(dropout), NNFS_CALL {
             OutputAndGradient r = s.dropout(a.matrix("inputs"), a.matrix("mask"),
                                             a.scalar("rate"), a.matrix("dvalues"));
             out.put("output", r.output);
             out.put("dinputs", r.dinputs);
         }},
        {"sigmoid", {batch("inputs", "B N"), array("dvalues", "B N")}, {},
         {{"output", "B N"}, {"dinputs", "B N"}}, NNFS_DECLARED(sigmoid), NNFS_CALL {
             OutputAndGradient r = s.sigmoid(a.matrix("inputs"), a.matrix("dvalues"));
             out.put("output", r.output);
             out.put("dinputs", r.dinputs);
         }},
        {"binary_crossentropy",
         {batch("y_pred", "B O"), binary("y_true", "B O", "invalid_label")}, {},
         {{"sample_losses", "B"}, {"loss", ""}, {"dinputs", "B O"}},
         NNFS_DECLARED(binary_crossentropy), NNFS_CALL {
             LossGradients r = s.binary_crossentropy(a.matrix("y_pred"), a.matrix("y_true"));
             out.put("sample_losses", r.sample_losses);
             out.put("loss", r.loss);
             out.put("dinputs", r.dinputs);
         }},
        {"binary_accuracy",
         {batch("y_pred", "B O"), binary("y_true", "B O", "invalid_label")}, {},
         {{"predictions", "B O"}, {"accuracy", ""}}, NNFS_DECLARED(binary_accuracy), NNFS_CALL {
             BinaryAccuracyOutput r = s.binary_accuracy(a.matrix("y_pred"), a.matrix("y_true"));
             out.put("predictions", r.predictions);
             out.put("accuracy", r.accuracy);
         }},
        {"linear", {batch("inputs", "B N"), array("dvalues", "B N")}, {},
         {{"output", "B N"}, {"dinputs", "B N"}}, NNFS_DECLARED(linear), NNFS_CALL {
             OutputAndGradient r = s.linear(a.matrix("inputs"), a.matrix("dvalues"));
             out.put("output", r.output);
             out.put("dinputs", r.dinputs);
         }},
        {"mean_squared_error", {batch("y_pred", "B O"), array("y_true", "B O")}, {},
         {{"sample_losses", "B"}, {"loss", ""}, {"dinputs", "B O"}},
         NNFS_DECLARED(mean_squared_error), NNFS_CALL {
             LossGradients r = s.mean_squared_error(a.matrix("y_pred"), a.matrix("y_true"));
             out.put("sample_losses", r.sample_losses);
             out.put("loss", r.loss);
             out.put("dinputs", r.dinputs);
         }},
        {"mean_absolute_error", {batch("y_pred", "B O"), array("y_true", "B O")}, {},
         {{"sample_losses", "B"}, {"loss", ""}, {"dinputs", "B O"}},
         NNFS_DECLARED(mean_absolute_error), NNFS_CALL {
             LossGradients r = s.mean_absolute_error(a.matrix("y_pred"), a.matrix("y_true"));
             out.put("sample_losses", r.sample_losses);
             out.put("loss", r.loss);
             out.put("dinputs", r.dinputs);
         }},
        {"regression_accuracy",
         {batch("y_pred", "B O"), array("y_true", "B O"), factor("precision")}, {},
         {{"accuracy", ""}}, NNFS_DECLARED(regression_accuracy), NNFS_CALL {
             out.put("accuracy", s.regression_accuracy(a.matrix("y_pred"), a.matrix("y_true"),
                                                       a.scalar("precision")));
         }},
        {"sgd_step", optimizer_inputs(MOMENTUMS, {"learning_rate", "decay", "momentum"}), {},
         optimizer_outputs(MOMENTUMS), NNFS_DECLARED(sgd_step),
         NNFS_CALL { optimizer_step(s.sgd_step, in, a, out); }},
        {"adagrad_step", optimizer_inputs(CACHE, {"learning_rate", "decay", "epsilon"}), {},
         optimizer_outputs(CACHE), NNFS_DECLARED(adagrad_step),
         NNFS_CALL { optimizer_step(s.adagrad_step, in, a, out); }},
        {"rmsprop_step", optimizer_inputs(CACHE, {"learning_rate", "decay", "epsilon", "rho"}), {},
         optimizer_outputs(CACHE), NNFS_DECLARED(rmsprop_step),
         NNFS_CALL { optimizer_step(s.rmsprop_step, in, a, out); }},
        {"adam_step",
         optimizer_inputs(ADAM_STATE, {"learning_rate", "decay", "epsilon", "beta_1", "beta_2"}),
         {}, optimizer_outputs(ADAM_STATE), NNFS_DECLARED(adam_step),
         NNFS_CALL { optimizer_step(s.adam_step, in, a, out); }},
        {"shared_optimizer",
         {array("weights1", "K H"), array("biases1", "H"), array("weights2", "H C"),
          array("biases2", "C"), array("dweights1", "K H"), array("dbiases1", "H"),
          array("dweights2", "H C"), array("dbiases2", "C"), count("steps", 1),
          scalar("learning_rate"), scalar("decay"), scalar("epsilon"), scalar("beta_1"),
          scalar("beta_2")},
         {}, {{"weights1", "K H"}, {"biases1", "H"}, {"weights2", "H C"}, {"biases2", "C"}},
         NNFS_DECLARED(shared_optimizer), NNFS_CALL {
             LayerState layer1 = adam_layer(a, "1"), layer2 = adam_layer(a, "2");
             s.shared_optimizer(layer1, layer2, a.count("steps"), hyperparameters(in, a));
             out.put("weights1", layer1.weights);
             out.put("biases1", layer1.biases);
             out.put("weights2", layer2.weights);
             out.put("biases2", layer2.biases);
         }},
        {"training",
         {batch("inputs", "B K"), labels("y_true", "B C"), array("weights1", "K H"),
          array("biases1", "H"), array("weights2", "H C"), array("biases2", "C"),
          count("steps", 1, "S"), scalar("learning_rate"), scalar("decay"), scalar("momentum"),
          scalar("epsilon"), scalar("rho"), scalar("beta_1"), scalar("beta_2")},
         {"label_format", "optimizer"},
         {{"loss", "S"}, {"accuracy", "S"}, {"learning_rate", "S"}, {"weights1", "S K H"},
          {"biases1", "S H"}, {"weights2", "S H C"}, {"biases2", "S C"}},
         NNFS_DECLARED(training), NNFS_CALL {
             Trajectory r = s.training(a.matrix("inputs"), a.labels("y_true"),
                                       a.matrix("weights1"), a.vector("biases1"),
                                       a.matrix("weights2"), a.vector("biases2"),
                                       a.count("steps"), a.param("optimizer"),
                                       hyperparameters(in, a));
             out.put("loss", r.loss);
             out.put("accuracy", r.accuracy);
             out.put("learning_rate", r.learning_rate);
             out.put("weights1", r.weights1);
             out.put("biases1", r.biases1);
             out.put("weights2", r.weights2);
             out.put("biases2", r.biases2);
         }},
        // The Model's chapters (18-22). The validation set has its own size, M.
        {"model_training",
         {batch("inputs", "B K"), labels("y_true", "B C"), batch("validation_inputs", "M K"),
          labels("validation_y_true", "M C"), array("weights1", "K H"), array("biases1", "H"),
          array("weights2", "H C"), array("biases2", "C"), count("epochs", 1, "E"),
          count("batch_size", 1), factor("weight_regularizer_l1"),
          factor("weight_regularizer_l2"), factor("bias_regularizer_l1"),
          factor("bias_regularizer_l2"), scalar("learning_rate"), scalar("decay"),
          scalar("momentum"), scalar("epsilon"), scalar("rho"), scalar("beta_1"),
          scalar("beta_2")},
         {"label_format", "optimizer"},
         {{"loss", "E"}, {"data_loss", "E"}, {"regularization_loss", "E"}, {"accuracy", "E"},
          {"learning_rate", "E"}, {"validation_loss", "E"}, {"validation_accuracy", "E"},
          {"weights1", "K H"}, {"biases1", "H"}, {"weights2", "H C"}, {"biases2", "C"}},
         NNFS_DECLARED(model_training), NNFS_CALL {
             Regularizers r{a.scalar("weight_regularizer_l1"), a.scalar("weight_regularizer_l2"),
                            a.scalar("bias_regularizer_l1"), a.scalar("bias_regularizer_l2")};
             ModelTrainingOutput m = s.model_training(
                 a.matrix("inputs"), a.labels("y_true"), a.matrix("validation_inputs"),
                 a.labels("validation_y_true"), a.matrix("weights1"), a.vector("biases1"),
                 a.matrix("weights2"), a.vector("biases2"), a.count("epochs"),
                 a.count("batch_size"), r, a.param("optimizer"), hyperparameters(in, a));
             out.put("loss", m.loss);
             out.put("data_loss", m.data_loss);
             out.put("regularization_loss", m.regularization_loss);
             out.put("accuracy", m.accuracy);
             out.put("learning_rate", m.learning_rate);
             out.put("validation_loss", m.validation_loss);
             out.put("validation_accuracy", m.validation_accuracy);
             out.put("weights1", m.weights1);
             out.put("biases1", m.biases1);
             out.put("weights2", m.weights2);
             out.put("biases2", m.biases2);
         }},
        {"preprocess", {bytes("images", "B H W"), ints("labels", "B"), keys("keys", "B")}, {},
         {{"x", "B P"}, {"y", "B"}}, NNFS_DECLARED(preprocess), NNFS_CALL {
             PreprocessOutput r =
                 s.preprocess(a.images("images"), a.ints("labels"), a.keys("keys"));
             out.put("x", r.x);
             out.put("y", r.y);
         }, preprocess_sizes},
        // S, the number of batches, is the learner's to find: the outputs must agree on it.
        {"batches", {batch("inputs", "B K"), count("batch_size", 1)}, {},
         {{"steps", ""}, {"batch_sizes", "S"}, {"first_rows", "S K"}, {"last_rows", "S K"}},
         NNFS_DECLARED(batches), NNFS_CALL {
             BatchesOutput r = s.batches(a.matrix("inputs"), a.count("batch_size"));
             out.put("steps", r.steps);
             out.put("batch_sizes", r.batch_sizes);
             out.put("first_rows", r.first_rows);
             out.put("last_rows", r.last_rows);
         }},
        {"predictions", {batch("inputs", "B N")}, {"activation"}, {{"predictions", "P"}},
         NNFS_DECLARED(predictions), NNFS_CALL {
             out.put("predictions", s.predictions(a.matrix("inputs"), a.param("activation")));
         }, predictions_sizes},
        {"evaluate", {batch("y_pred", "B C"), labels("y_true", "B C"), count("batch_size", 1)},
         {"label_format"}, {{"loss", ""}, {"accuracy", ""}}, NNFS_DECLARED(evaluate), NNFS_CALL {
             EvaluateOutput r =
                 s.evaluate(a.matrix("y_pred"), a.labels("y_true"), a.count("batch_size"));
             out.put("loss", r.loss);
             out.put("accuracy", r.accuracy);
         }},
        {"parameters", network_inputs(), {},
         {{"weights1", "K H"}, {"biases1", "H"}, {"weights2", "H C"}, {"biases2", "C"},
          {"output", "B C"}},
         NNFS_DECLARED(parameters), NNFS_CALL {
             ParametersOutput r = s.parameters(a.matrix("inputs"), a.matrix("weights1"),
                                               a.vector("biases1"), a.matrix("weights2"),
                                               a.vector("biases2"));
             out.put("weights1", r.weights1);
             out.put("biases1", r.biases1);
             out.put("weights2", r.weights2);
             out.put("biases2", r.biases2);
             out.put("output", r.output);
         }},
        // The book tier (docs/BOOK.md)
        {"rng", {integer("seed"), pairs("calls")}, {}, {{"values", "V"}}, NNFS_DECLARED(rng),
         NNFS_CALL { out.put("values", s.rng(a.seed(), rng_calls(a))); }, rng_sizes},
        {"datasets", {integer("seed"), integer("samples"), integer("classes")}, {"dataset"},
         {{"x", "R D"}, {"y", "Y"}}, NNFS_DECLARED(datasets), NNFS_CALL {
             Dataset r = s.datasets(a.seed(), a.integer("samples"), a.integer("classes"),
                                    a.param("dataset"));
             out.put("x", r.x);
             out.put("y", r.y);
         }, datasets_sizes},
        {"init", {integer("seed"), integer("skip"), pairs("shapes")}, {"scale"},
         {{"weights", "W"}}, NNFS_DECLARED(init), NNFS_CALL {
             out.put("weights", s.init(a.seed(), a.integer("skip"), layer_shapes(a),
                                       a.number_param("scale")));
         }, init_sizes},
        {"shuffle", {integer("seed"), integer("samples")}, {}, {{"keys", "N"}},
         NNFS_DECLARED(shuffle), NNFS_CALL {
             out.put("keys", s.shuffle(a.seed(), a.integer("samples")));
         }, shuffle_sizes},
        {"chapters",
         {integer("seed"), integer("samples"), integer("classes"), integer("hidden"),
          integer("steps")},
         {"printed", "optimizer", "learning_rate", "decay", "momentum"}, {{"value", "P"}},
         NNFS_DECLARED(chapters), NNFS_CALL {
             Hyperparameters h;  // the book's defaults but for the case's three
             h.learning_rate = a.number_param("learning_rate");
             h.decay = a.number_param("decay");
             h.momentum = a.number_param("momentum");
             out.put("value", s.chapters(a.seed(), a.integer("samples"), a.integer("classes"),
                                         a.integer("hidden"), a.integer("steps"),
                                         a.param("printed"), a.param("optimizer"), h));
         }, chapters_sizes},
    };
    return table;
}

#undef NNFS_DECLARED
#undef NNFS_CALL

// ---------------------------------------------------------------------------------------------
// The protocol

ordered hello(const Info& info, const Stages& learner) {
    ordered stages = ordered::array();
    for (const auto& stage : nnfs::stages())
        if (stage.declared(learner)) stages.push_back(stage.name);
    ordered reply = {{"protocol", 1},           {"name", info.name},
                     {"language", "c++"},       {"dtype", info.dtype},
                     {"stages", stages},        {"label_formats", {"sparse", "onehot"}},
                     {"checks_inputs", true}};
    if (!info.version.empty()) reply["version"] = info.version;
    return reply;
}

ordered run(const json& msg, const Stages& learner) {
    auto seq = msg.find("seq");
    if (seq == msg.end() || !seq->is_number_integer())
        throw BadRequest("a run message needs an integer \"seq\"");
    auto name = msg.find("stage");
    if (name == msg.end() || !name->is_string())
        throw BadRequest("a run message needs a \"stage\" string");
    const Stage* stage = nullptr;
    for (const auto& candidate : stages())
        if (*name == candidate.name) stage = &candidate;
    if (stage == nullptr) throw BadRequest("unknown stage " + name->dump());
    if (!stage->declared(learner))
        throw BadRequest("stage " + name->dump() + " is not declared in this port's hello");
    static const json no_params = json::object();
    auto inputs = msg.find("inputs"), params = msg.find("params");
    if (inputs == msg.end() || !inputs->is_object())
        throw BadRequest("a run message needs an \"inputs\" object");
    if (params != msg.end() && !params->is_object())
        throw BadRequest("\"params\" must be an object");
    const json& given = params == msg.end() ? no_params : *params;
    for (const char* param : stage->params) {
        auto value = given.find(param);
        const auto& allowed = PARAM_VALUES.at(param);
        bool fits = value != given.end() &&
            (allowed.empty() ? value->is_number()
                             : value->is_string() &&
                                   std::find(allowed.begin(), allowed.end(), *value) !=
                                       allowed.end());
        if (!fits)
            throw BadRequest(std::string("param \"") + param + "\" of " + stage->name +
                             (value == given.end() ? " is missing" : " is " + value->dump()));
    }

    ordered reply = {{"seq", *seq}};
    Args args(stage->name, *inputs, given);
    try {
        for (const auto& in : stage->inputs) args.check_shape(in);
        for (const auto& in : stage->inputs) args.check_domain(in);
        if (stage->sizes) stage->sizes(args);
    } catch (const InvalidInput& invalid) {
        reply["error"] = {{"kind", invalid.kind}, {"message", invalid.message}};
        return reply;
    } catch (const Unsupported& declined) {  // a book integer past what the kit passes
        reply["unsupported"] = declined.what();
        return reply;
    }
    Outputs outputs(stage->name, stage->outputs, args);
    try {
        stage->call(learner, stage->inputs, args, outputs);
        reply["outputs"] = outputs.take();
    } catch (const Unsupported& declined) {
        reply["unsupported"] = declined.what();
    } catch (const BadRequest&) {
        throw;
    } catch (const std::exception& error) {  // the learner's, or BadOutput
        reply["error"] = {{"kind", "exception"}, {"message", error.what()}};
    } catch (...) {
        reply["error"] = {{"kind", "exception"},
                          {"message", std::string(stage->name) +
                                          ": the learner threw something that is not a "
                                          "std::exception"}};
    }
    return reply;
}

// One line of what was asked, for the stderr line: at most 200 characters, no line breaks.
std::string excerpt(const std::string& line) {
    std::string text = line.substr(0, 200);
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text + (line.size() > 200 ? "..." : "");
}

int loop(const Info& info, const Stages& learner, std::istream& in,
         const std::function<bool(const std::string&)>& write, std::ostream& err) {
    if (info.name.empty()) {
        err << "nnfs_kit: Info.name is empty: give the port a name\n";
        return 2;
    }
    if (info.dtype != "float64") {
        err << "nnfs_kit: dtype \"" << info.dtype << "\" is not supported: this kit hands the "
            << "learner doubles, so a port declares \"float64\"\n";
        return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // a blank line
        json msg;
        try {
            msg = json::parse(line);
        } catch (const json::exception& e) {  // not JSON, or a number beyond the double range
            err << "nnfs_kit: cannot read " << excerpt(line) << ": " << e.what() << "\n";
            return 1;
        }
        try {
            if (!msg.is_object()) throw BadRequest("the message is not a JSON object");
            auto cmd = msg.find("cmd");
            if (cmd == msg.end() || !cmd->is_string())
                throw BadRequest("the message has no \"cmd\" string");
            if (*cmd == "bye") return 0;
            ordered reply;
            if (*cmd == "hello")
                reply = hello(info, learner);
            else if (*cmd == "run")
                reply = run(msg, learner);
            else
                throw BadRequest("unknown cmd " + cmd->dump());
            if (!write(reply.dump() + "\n")) {
                err << "nnfs_kit: cannot write the reply: " << std::strerror(errno) << "\n";
                return 1;
            }
        } catch (const BadRequest& e) {
            err << "nnfs_kit: cannot answer " << excerpt(line) << ": " << e.what() << "\n";
            return 1;
        } catch (const std::exception& e) {  // a bug in the kit: still one line, never a crash
            err << "nnfs_kit: internal error on " << excerpt(line) << ": " << e.what() << "\n";
            return 1;
        }
    }
    return 0;
}

}  // namespace

int serve(const Info& info, const Stages& stages, std::istream& in, std::ostream& out,
          std::ostream& err) {
    return loop(info, stages, in, [&out](const std::string& text) {
        out << text;
        out.flush();
        return bool(out);
    }, err);
}

int serve(const Info& info, const Stages& stages) {
    // The replies keep the real stdout; fd 1 becomes stderr, so whatever the learner prints
    // (std::cout, printf) can never be read as a reply.
    std::fflush(stdout);
    std::cout.flush();
    int replies = dup(STDOUT_FILENO);
    if (replies < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        std::cerr << "nnfs_kit: cannot set stdout aside: " << std::strerror(errno) << "\n";
        return 1;
    }
    std::ios::sync_with_stdio(false);
    return loop(info, stages, std::cin, [replies](const std::string& text) {
        for (std::size_t done = 0; done < text.size();) {
            ssize_t n = ::write(replies, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }, std::cerr);
}

}  // namespace nnfs
