// network.yaml with its foldings written out: what `bnngen fold -o` saves. The description is
// re-read and re-emitted with every conv and dense layer's `fold` set to the folding in `net`
// (flow style kept where the file used it; comments are not kept, a header comment says where
// the file came from), so that it no longer depends on `fold: auto` or on the images it was
// folded for.
#pragma once

#include "bnngen/net/network.hpp"

#include <filesystem>
#include <string>

namespace bnngen {

// `net` was loaded from net.source_file; the result is to be written to `out_path`, so the
// weights are named relative to its folder. `header` becomes the leading comment (one "# " line
// per line of it). Throws InputError if the source cannot be read again.
std::string folded_network_yaml(const Network& net, const std::filesystem::path& out_path, const std::string& header);

}  // namespace bnngen
