#include "bnngen/net/folded_yaml.hpp"

#include "bnngen/diag/error.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace bnngen {

std::string folded_network_yaml(const Network& net, const std::filesystem::path& out_path, const std::string& header) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(net.source_file);
    } catch (const YAML::Exception& e) {
        throw InputError("read-failed", net.source_file, fmt::format("cannot read the description again: {}", e.what()));
    }
    YAML::Node layers = root["layers"];
    if (!layers.IsSequence() || layers.size() != net.layers.size()) {
        throw InputError("read-failed", net.source_file, "the description changed while it was being folded");
    }
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (!l.is_compute()) {
            continue;
        }
        YAML::Node fold(YAML::NodeType::Map);
        fold["pe"] = l.fold.pe;
        fold["simd"] = l.fold.simd;
        fold.SetStyle(YAML::EmitterStyle::Flow);
        YAML::Node layer = layers[i];
        layer["fold"] = fold;
    }
    // The target it was folded for, so that the file says what its folding is meant to meet.
    if (net.target.images_per_second > 0) {
        root["target"]["images_per_second"] = net.target.images_per_second;
    }
    if (net.target.luts > 0) {
        root["target"]["luts"] = net.target.luts;
    }
    // The weights stay where they are; the new file names them from its own folder.
    std::filesystem::path folder = std::filesystem::absolute(out_path).parent_path();
    std::filesystem::path weights = std::filesystem::absolute(net.weights_file);
    std::filesystem::path relative = weights.lexically_relative(folder);
    const bool climbs = relative.empty() || *relative.begin() == "..";
    root["weights"] = (climbs ? weights : relative).generic_string();

    YAML::Emitter emitter;
    emitter << root;
    std::string out;
    std::istringstream lines(header);
    for (std::string line; std::getline(lines, line);) {
        out += line.empty() ? "#\n" : "# " + line + "\n";
    }
    out += emitter.c_str();
    out += "\n";
    return out;
}

}  // namespace bnngen
