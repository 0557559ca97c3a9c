// The shipped examples/fmnist_small against its twin generator/tests/data/io/fmnist_small_layouts.npz,
// which make_io_fixtures.py rewrote with numpy in every other layout numpy.save writes: weights in
// Fortran order, thresholds and bias big-endian int32, the kernel mask as bool. Both must load to
// the same network and give the same scores.
#include "bnngen/golden/batch.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/io/npz.hpp"
#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(BNNGEN_SOURCE_DIR) / "examples" / "fmnist_small" / "network.yaml";
const fs::path kTwin = fs::path(BNNGEN_TEST_DATA) / "io" / "fmnist_small_layouts.yaml";
const fs::path kFashionTest = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

Network load_quietly(const fs::path& yaml) {
    DiagnosticBag bag;
    auto net = load_network(yaml, bag);
    CAPTURE(yaml.string());
    REQUIRE(net);
    CHECK(bag.empty());
    return *net;
}

io::ImageSet random_images(int64_t count, uint32_t seed) {
    io::ImageSet images;
    images.count = count;
    images.channels = 1;
    images.height = 28;
    images.width = 28;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pixel(0, 255);
    images.pixels.resize(static_cast<std::size_t>(count * images.image_size()));
    for (uint16_t& p : images.pixels) p = static_cast<uint16_t>(pixel(rng));
    return images;
}

}  // namespace

TEST_CASE("the twin archive really holds big-endian and bool arrays") {
    const auto arrays = io::read_npz(fs::path(kTwin).replace_filename("fmnist_small_layouts.npz"));
    CHECK(arrays.at("conv2.kernel_mask").dtype == io::DType::Bool);
    CHECK(arrays.at("conv1.threshold").dtype == io::DType::Int32);
    CHECK(arrays.at("conv1.weight").shape == std::vector<int64_t>{16, 1, 3, 3});
}

TEST_CASE("fortran-order, big-endian and bool weights load to the same network as the exporter's") {
    const Network a = load_quietly(kExample);
    const Network b = load_quietly(kTwin);
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        CAPTURE(a.layers[i].name);
        CHECK(a.layers[i].weight == b.layers[i].weight);
        CHECK(a.layers[i].threshold == b.layers[i].threshold);
        CHECK(a.layers[i].bias == b.layers[i].bias);
        CHECK(a.layers[i].kernel_mask == b.layers[i].kernel_mask);
    }
    // The shipped conv2 keeps 4 of 16 kernels; the bool mask must say the same.
    int64_t kept = 0;
    for (uint8_t m : b.layers[2].kernel_mask) kept += m;
    CHECK(kept == 32 * 4);
}

TEST_CASE("fortran-order, big-endian and bool weights give the same scores as the exporter's") {
    const Network a = load_quietly(kExample);
    const Network b = load_quietly(kTwin);
    std::vector<io::ImageSet> sets = {random_images(200, 12)};
    if (fs::exists(kFashionTest)) sets.push_back(io::load_images(kFashionTest, 1, 28, 28, 8, 300));
    for (const io::ImageSet& images : sets) {
        const golden::BatchResult ra = golden::run_batch(a, images, {});
        const golden::BatchResult rb = golden::run_batch(b, images, {});
        CHECK(ra.images == images.count);
        CHECK(ra.scores.size() == static_cast<std::size_t>(images.count * 10));
        CHECK(ra.scores == rb.scores);
        CHECK(ra.predicted == rb.predicted);
        CHECK(ra.operations == rb.operations);
    }
}
