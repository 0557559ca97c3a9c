// What a golden model produces for one image, shared by the reference and the fast model.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bnngen::golden {

// One layer's output for one image in (C, H, W) order: 0/1 after a threshold activation, the
// integer score s + bias after activation none.
using Tensor = std::vector<int64_t>;

struct Prediction {
    std::vector<int64_t> scores;  // one per class
    int predicted_class = 0;
};

// Index of the largest score; ties go to the lowest index (DESIGN.md section 2).
int argmax(std::span<const int64_t> scores);

}  // namespace bnngen::golden
