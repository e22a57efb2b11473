// The book tier (docs/BOOK.md): what `nnfs.init()` makes the book's NumPy compute, bit for bit.
// NumPy's legacy random stream, the nnfs datasets, Layer_Dense's initial weights, chapter 19's
// shuffle and the chapter 3-10 script, in the book's float32 arithmetic (book.cpp). The
// network of network.hpp is the float64 one of the core stages; this is the book's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nnfs_kit.hpp"

namespace book {

// np.random.seed(seed): NumPy's legacy RandomState.
class RandomState {
public:
    explicit RandomState(std::uint32_t seed) : mt_(seed) {}

    std::uint32_t u32() { return static_cast<std::uint32_t>(mt_()); }  // one 32-bit output
    double random_sample();                                             // a 53-bit double
    double randn();  // a Gaussian: the polar method, its second value cached

private:
    // NumPy seeds MT19937 with init_genrand, which is exactly how the standard defines
    // std::mt19937(seed) (not Python's random.seed, which uses init_by_array).
    std::mt19937 mt_;
    bool has_gauss_ = false;
    double gauss_ = 0.0;
};

// The stages, as the C++ kit calls them (kits/cpp/nnfs_kit.hpp): float32 values widened to
// double; the random stream, sine_data and the learning rate are double in the book too.
nnfs::Vector rng(std::uint32_t seed, const std::vector<nnfs::RngCall>& calls);
nnfs::Dataset datasets(std::uint32_t seed, std::size_t samples, std::size_t classes,
                       const std::string& dataset);
nnfs::Vector init(std::uint32_t seed, std::size_t skip, const std::vector<nnfs::LayerShape>& shapes,
                  double scale);
std::vector<std::size_t> shuffle(std::uint32_t seed, std::size_t samples);
nnfs::Printed chapters(std::uint32_t seed, std::size_t samples, std::size_t classes,
                       std::size_t hidden, std::size_t steps, const std::string& printed,
                       const std::string& optimizer, const nnfs::Hyperparameters& h);

}  // namespace book
