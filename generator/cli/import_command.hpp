// `bnngen import`: a QONNX / FINN-ONNX model to network.yaml + weights.npz (docs/import.md).
#pragma once

#include <optional>
#include <string>

namespace bnngen::cli {

struct ImportOptions {
    std::string model;
    std::string dir;
    std::string name;
    std::optional<int> input_bits;
};

int run_import(const ImportOptions& opt);

}  // namespace bnngen::cli
