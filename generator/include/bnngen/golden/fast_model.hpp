// The fast golden model the product uses: binary activations packed 64 channels to a word, each
// output computed as popcount(XNOR(weights, window) & kept) over 64-bit words, the integer first
// layer as an integer dot product. Bit-exact with ReferenceModel (tested on random networks).
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace bnngen::golden {

class FastModel {
public:
    explicit FastModel(const Network& net);
    ~FastModel();
    FastModel(FastModel&&) noexcept;
    FastModel& operator=(FastModel&&) noexcept;

    // Not thread-safe: the model owns its scratch buffers. Use one model per thread.
    Prediction predict(const uint16_t* image);
    // Every layer's output, unpacked to the reference model's form (for tests and debugging).
    std::vector<Tensor> run_layers(const uint16_t* image);

    // XNOR-popcount operations (one weight times one input value; DESIGN.md section 2) performed per
    // layer since construction or the last reset, indexed like Network::layers (0 for max-pool).
    // Positions skipped by spatial pruning perform none.
    [[nodiscard]] const std::vector<int64_t>& operations() const { return operations_; }
    // Output positions per layer that spatial pruning skipped (output the background instead).
    [[nodiscard]] const std::vector<int64_t>& skipped_positions() const { return skipped_positions_; }
    void reset_operations();  // resets both counters

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<int64_t> operations_;
    std::vector<int64_t> skipped_positions_;
};

}  // namespace bnngen::golden
