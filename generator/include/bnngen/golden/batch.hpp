// Runs the fast golden model over a set of images: scores, predictions, accuracy and the
// operation counts `bnngen infer` reports.
#pragma once

#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace bnngen::golden {

struct BatchResult {
    int64_t images = 0;
    int classes = 0;
    std::vector<int64_t> scores;  // [images][classes]
    std::vector<int> predicted;   // [images]
    std::optional<int64_t> correct;  // when labels were given
    std::vector<int64_t> operations;         // per layer, summed over all images
    std::vector<int64_t> skipped_positions;  // per layer, summed over all images (spatial pruning)

    [[nodiscard]] double accuracy() const {
        return correct && images > 0 ? static_cast<double>(*correct) / static_cast<double>(images) : 0.0;
    }
};

// `labels` may be empty (no accuracy); otherwise it has one label per image. `progress` is called
// with the number of images done, now and then, so a front end can show progress.
BatchResult run_batch(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                      const std::function<void(int64_t)>& progress = {});

}  // namespace bnngen::golden
