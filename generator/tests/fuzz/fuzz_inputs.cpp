// fuzz_inputs: no input may crash bnngen. Mutates what bnngen reads -- the network descriptions of
// the bad-input corpus, of generator/tests/data/good and of the shipped examples, their weights
// archives (as bytes, and as arrays re-encoded in every .npy layout), the io fixtures' .npy, idx
// and gzip files and a small Fashion-MNIST idx -- with byte flips, truncation, chunk copies, huge
// numbers, deep nesting, long flow sequences, alias fan-out and empty files, then runs what
// `bnngen check` and `bnngen infer` run, in process: load_network, load_images / load_labels and
// the golden model. A case passes when it loads, or is refused with an InputError or diagnostics;
// anything else thrown, a sanitizer report, a signal, or a case slower than the time bound fails.
// A few mutants also go through the real CLI binary (exit 0 or 1, no "internal error").
//
//   bnngen_fuzz_inputs [--cases N] [--seed S] [--first I] [--bnngen PATH] [--cli-cases M]
//                      [--case-seconds T] [--keep DIR] [--keep-work] [--verbose]
//
// Every case is generated from (seed, index) alone, so `--first I --cases 1 --verbose` replays case I.
#include "bnngen/diag/error.hpp"
#include "bnngen/diag/render.hpp"
#include "bnngen/golden/batch.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/io/npy.hpp"
#include "bnngen/io/npz.hpp"
#include "bnngen/net/load.hpp"
#include "../zip_test_support.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

extern char** environ;

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using Rng = std::mt19937_64;

namespace {

const fs::path kSource = BNNGEN_SOURCE_DIR;
const fs::path kData = BNNGEN_TEST_DATA;

// ---- what the case in progress is, for the watchdog and the crash reporter ----------------------

std::atomic<int64_t> g_case{-1};
std::atomic<int64_t> g_case_started_ms{0};
char g_case_text[512] = "";  // written before each case, read only when dying

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void say_dying() {
    const char* prefix = "\nfuzz_inputs: died in case ";
    (void)!::write(2, prefix, std::strlen(prefix));
    (void)!::write(2, g_case_text, std::strlen(g_case_text));
    (void)!::write(2, "\n", 1);
}

void on_signal(int sig) {
    say_dying();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// ---- files ---------------------------------------------------------------------------------------

Bytes read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const Bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes gzip(const Bytes& in) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// ---- the seeds ------------------------------------------------------------------------------------

struct YamlSeed {
    fs::path dir;  // a scratch copy of the seed's directory: the mutant's weights resolve there
    std::string text;
    bool valid;  // from good/ or examples/: its mutants often still load and reach the golden model
};

struct NpzSeed {
    std::string name;
    Bytes bytes;
    std::map<std::string, bnngen::io::Array> arrays;  // empty when the seed does not load
    fs::path yaml;  // a scratch network.yaml naming weights.npz next to it, when one uses this archive
};

struct ImageSeed {
    std::string name;
    Bytes bytes;
    int channels, height, width, bits;
};

struct Corpus {
    std::vector<YamlSeed> yaml;
    std::vector<NpzSeed> npz;
    std::vector<ImageSeed> images;
    std::vector<Bytes> labels;
    std::optional<bnngen::Network> small;  // examples/fmnist_small, for inference on mutated images
};

// Links every file of `from` into a fresh scratch directory, so a mutant YAML written there finds
// the seed's weights under the names it uses.
fs::path mirror(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(from))
        if (e.is_regular_file()) fs::create_symlink(fs::absolute(e.path()), to / e.path().filename());
    return to;
}

std::string slurp(const fs::path& p) {
    const Bytes b = read_bytes(p);
    return {b.begin(), b.end()};
}

Corpus load_corpus(const fs::path& work) {
    Corpus c;
    int dirs = 0;
    std::vector<fs::path> yaml_dirs = {kData / "bad", kData / "good"};
    for (const auto& e : fs::directory_iterator(kSource / "examples"))
        if (fs::exists(e.path() / "network.yaml")) yaml_dirs.push_back(e.path());
    std::sort(yaml_dirs.begin(), yaml_dirs.end());
    for (const fs::path& d : yaml_dirs) {
        const fs::path scratch = mirror(d, work / fmt::format("seed{}", dirs++));
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(d))
            if (e.path().extension() == ".yaml") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& f : files) c.yaml.push_back({scratch, slurp(f), d.filename() != "bad"});
    }

    // Weights archives: the small ones whole; each paired with the network that uses it, if any.
    std::vector<std::pair<fs::path, fs::path>> archives;  // npz, yaml
    for (const fs::path& d : {kData / "bad", kData / "good"})
        for (const auto& e : fs::directory_iterator(d))
            if (e.path().extension() == ".npz") archives.emplace_back(e.path(), fs::path(e.path()).replace_extension(".yaml"));
    for (const auto& e : fs::directory_iterator(kData / "io"))
        if (e.path().extension() == ".npz") archives.emplace_back(e.path(), fs::path());
    archives.emplace_back(kData / "io" / "fmnist_small_layouts.npz", kSource / "examples" / "fmnist_small" / "network.yaml");
    archives.emplace_back(kSource / "examples" / "fmnist_small" / "weights.npz",
                          kSource / "examples" / "fmnist_small" / "network.yaml");
    std::sort(archives.begin(), archives.end());
    int n = 0;
    for (const auto& [npz, yaml] : archives) {
        NpzSeed s{npz.parent_path().filename().string() + "/" + npz.filename().string(), read_bytes(npz), {}, {}};
        try {
            s.arrays = bnngen::io::parse_npz(s.bytes, npz.string());
        } catch (const bnngen::InputError&) {
        }
        if (!yaml.empty() && fs::exists(yaml)) {
            const fs::path dir = work / fmt::format("npz{}", n++);
            fs::create_directories(dir);
            std::string text = slurp(yaml);
            const auto at = text.find("weights:");
            if (at == std::string::npos) continue;
            text.replace(at, text.find('\n', at) - at, "weights: weights.npz");
            s.yaml = dir / "network.yaml";
            write_bytes(s.yaml, Bytes(text.begin(), text.end()));
        }
        c.npz.push_back(std::move(s));
    }

    for (const auto& e : fs::directory_iterator(kData / "io")) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() == ".npz" || name.find("label") != std::string::npos) continue;
        c.images.push_back({"io/" + name, read_bytes(e.path()), 1, 4, 5, 8});
        if (name.find("nchw") != std::string::npos || name.find("wide") != std::string::npos)
            c.images.back().channels = 3, c.images.back().height = 2, c.images.back().width = 2;
    }
    std::sort(c.images.begin(), c.images.end(), [](const ImageSeed& a, const ImageSeed& b) { return a.name < b.name; });
    for (const char* f : {"labels.idx1", "labels.idx1.gz", "labels.npy", "labels_bad.npy"}) c.labels.push_back(read_bytes(kData / "io" / f));

    bnngen::DiagnosticBag bag;
    c.small = bnngen::load_network(kSource / "examples" / "fmnist_small" / "network.yaml", bag);
    const fs::path fashion = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    if (c.small && fs::exists(fashion)) {
        // 6 real test images as idx, plain and gzip, and as .npy.
        const bnngen::io::ImageSet set = bnngen::io::load_images(fashion, 1, 28, 28, 8, 6);
        Bytes idx = {0, 0, 0x08, 3, 0, 0, 0, 6, 0, 0, 0, 28, 0, 0, 0, 28};
        for (uint16_t p : set.pixels) idx.push_back(static_cast<uint8_t>(p));
        c.images.push_back({"fashion6.idx", idx, 1, 28, 28, 8});
        c.images.push_back({"fashion6.idx.gz", gzip(idx), 1, 28, 28, 8});
        bnngen::io::Array a{bnngen::io::DType::UInt8, {6, 1, 28, 28}, {set.pixels.begin(), set.pixels.end()}};
        c.images.push_back({"fashion6.npy", bnngen::io::encode_npy(a), 1, 28, 28, 8});
    }
    return c;
}

// ---- mutations -------------------------------------------------------------------------------------

int64_t pick(Rng& rng, int64_t n) { return n <= 0 ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); }

const char* const kNumbers[] = {"0",          "-1",         "1",           "65536",     "65537",
                                "2147483647", "2147483648", "4294967296",  "-2147483649",
                                "9223372036854775807",      "9223372036854775808",      "-9223372036854775808",
                                "99999999999999999999999",  "0x7fffffffffffffff",       "1e308",
                                ".nan",       "-.inf",      "3.5",         "0x",        "-"};

void mutate_bytes(Bytes& b, Rng& rng) {
    const int ops = 1 + static_cast<int>(pick(rng, 4));
    for (int k = 0; k < ops; ++k) {
        const auto n = static_cast<int64_t>(b.size());
        switch (pick(rng, 9)) {
        case 0:
        case 1:
            if (n > 0) b[static_cast<size_t>(pick(rng, n))] ^= static_cast<uint8_t>(1u << pick(rng, 8));
            break;
        case 2:
            if (n > 0) {
                static const uint8_t kSpecial[] = {0, 0xff, 0x7f, 0x80, 0x01, 0xfe};
                b[static_cast<size_t>(pick(rng, n))] = kSpecial[pick(rng, 6)];
            }
            break;
        case 3: b.resize(static_cast<size_t>(pick(rng, n + 1))); break;  // truncate
        case 4:
            if (n > 0) {  // delete a chunk
                const int64_t at = pick(rng, n), len = 1 + pick(rng, std::min<int64_t>(n - at, 64));
                b.erase(b.begin() + at, b.begin() + at + len);
            }
            break;
        case 5:
            if (n > 0) {  // copy a chunk elsewhere
                const int64_t from = pick(rng, n), len = 1 + pick(rng, std::min<int64_t>(n - from, 64));
                const Bytes chunk(b.begin() + from, b.begin() + from + len);
                b.insert(b.begin() + pick(rng, n + 1), chunk.begin(), chunk.end());
            }
            break;
        case 6: {  // random bytes
            const int64_t len = 1 + pick(rng, 16);
            const int64_t at = pick(rng, n + 1);
            for (int64_t i = 0; i < len; ++i) b.insert(b.begin() + at, static_cast<uint8_t>(rng()));
            break;
        }
        case 7:
            if (n >= 4) {  // overwrite 4 or 8 bytes with an extreme little- or big-endian integer
                const int width = n >= 8 && pick(rng, 2) == 0 ? 8 : 4;
                const int64_t at = pick(rng, n - width + 1);
                const uint64_t v = pick(rng, 2) == 0 ? ~uint64_t{0} : uint64_t{1} << (width * 8 - 1 - pick(rng, 3));
                for (int i = 0; i < width; ++i) b[static_cast<size_t>(at + i)] = static_cast<uint8_t>(v >> (8 * i));
            }
            break;
        default:
            if (pick(rng, 8) == 0) b.clear();  // the empty file
            break;
        }
    }
}

// Positions where a decimal number starts in the text.
std::vector<size_t> numbers_in(const std::string& s) {
    std::vector<size_t> at;
    for (size_t i = 0; i < s.size(); ++i)
        if (std::isdigit(static_cast<unsigned char>(s[i])) && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))))
            at.push_back(i);
    return at;
}

std::string nested(Rng& rng) {
    static const int kDepths[] = {50, 400, 499, 500, 501, 2000, 20000, 200000};
    const int depth = kDepths[pick(rng, 8)];
    std::string open, close;
    switch (pick(rng, 4)) {
    case 0: open = "[", close = "]"; break;
    case 1: open = "{a: ", close = "}"; break;
    case 2: open = "[{k: ", close = "}]"; break;
    default: {  // block mappings, one level of indentation each
        std::string out;
        for (int i = 0; i < std::min(depth, 3000); ++i) out += "\n" + std::string(static_cast<size_t>(i + 2), ' ') + "k:";
        return out + " 1\n";
    }
    }
    std::string out;
    for (int i = 0; i < depth; ++i) out += open;
    out += "1";
    if (pick(rng, 4) != 0)
        for (int i = 0; i < depth; ++i) out += close;
    return out;
}

std::string long_sequence(Rng& rng) {
    static const char* const kItems[] = {"1", "{name: c, type: conv}", "{name: p, type: maxpool, kernel: 1}", "[]", "*a"};
    // Mostly a few thousand items, now and then 30 000 (a megabyte of YAML: yaml-cpp parses about
    // 3 MB/s, 10 times slower under the sanitizers, so such cases are kept rare).
    const int64_t n = pick(rng, 25) == 0 ? 30000 : 1 + pick(rng, 3000);
    const std::string item = kItems[pick(rng, 5)];
    std::string out = "[";
    for (int64_t i = 0; i < n; ++i) out += (i ? ", " : "") + item;
    return out + "]";
}

// Anchors whose every key aliases the previous level: 10^depth paths for whoever walks it naively.
std::string alias_fan_out(Rng& rng) {
    const int depth = 3 + static_cast<int>(pick(rng, 10));
    std::string out = "&l0 {keep: 2, pe: 1, mode: background}";
    for (int d = 1; d <= depth; ++d) {
        // The first key defines the previous level's anchor, the others alias it.
        std::string level = fmt::format("&l{} {{fold: {}", d, out);
        static const char* const kKeys[] = {"prune", "kernels", "spatial", "k4", "k5", "k6", "k7", "k8", "k9"};
        for (const char* key : kKeys) level += fmt::format(", {}: *l{}", key, d - 1);
        out = level + "}";
    }
    return out;
}

void mutate_yaml(std::string& s, Rng& rng) {
    const int ops = 1 + static_cast<int>(pick(rng, 3));
    for (int k = 0; k < ops; ++k) {
        const auto n = static_cast<int64_t>(s.size());
        const auto at = static_cast<size_t>(pick(rng, n + 1));
        switch (pick(rng, 13)) {
        case 0:
        case 1: {  // a number becomes an extreme one
            const auto nums = numbers_in(s);
            if (nums.empty()) break;
            const size_t p = nums[static_cast<size_t>(pick(rng, static_cast<int64_t>(nums.size())))];
            size_t e = p;
            while (e < s.size() && std::isalnum(static_cast<unsigned char>(s[e]))) ++e;
            s.replace(p, e - p, kNumbers[pick(rng, std::size(kNumbers))]);
            break;
        }
        case 10: {  // every number of one line becomes the same extreme one (input: 65536 x 65536 x 65536)
            const auto line_start = s.rfind('\n', at == 0 ? 0 : at - 1);
            const size_t b = line_start == std::string::npos ? 0 : line_start + 1;
            const size_t e = std::min(s.find('\n', b), s.size());
            const std::string line = s.substr(b, e - b);
            const char* number = kNumbers[pick(rng, std::size(kNumbers))];
            std::string out;  // built in one pass: a line can hold a long sequence of numbers
            size_t copied = 0;
            for (const size_t p : numbers_in(line)) {
                if (p < copied) continue;
                size_t end = p;
                while (end < line.size() && std::isalnum(static_cast<unsigned char>(line[end]))) ++end;
                out.append(line, copied, p - copied).append(number);
                copied = end;
            }
            out.append(line, copied);
            s.replace(b, e - b, out);
            break;
        }
        case 2: {  // a value (after ': ') becomes deeply nested
            const auto colon = s.find(": ", at);
            if (colon != std::string::npos) s.insert(colon + 2, nested(rng));
            break;
        }
        case 3:    // a value becomes a long flow sequence
        case 4: {  // or an alias of a widely fanned-out anchor
            const auto colon = s.find(": ", at);
            if (colon == std::string::npos) break;
            auto end = colon + 2;
            while (end < s.size() && s[end] != ',' && s[end] != '}' && s[end] != '\n') ++end;
            s.replace(colon + 2, end - colon - 2, pick(rng, 2) == 0 ? long_sequence(rng) : alias_fan_out(rng));
            break;
        }
        case 5: {  // YAML's rarer syntax
            using namespace std::string_view_literals;
            static const std::string_view kSyntax[] = {
                "&a "sv, "*a"sv,  "*undefined"sv, "!!binary "sv, "!!str "sv,         "!custom "sv, "? "sv,
                "<<: *a\n"sv, "---\n"sv, "...\n"sv, "%YAML 1.2\n---\n"sv, "|\n  x\n"sv, "\t"sv, "\r\n"sv,
                "\xef\xbb\xbf"sv, "\0"sv, "\"\\u0000\""sv, "'"sv, "\""sv, "#"sv, "{"sv, "}"sv, "["sv, "]"sv, ","sv,
                ":"sv, "- "sv, "\xff\xfe"sv};
            s.insert(at, kSyntax[pick(rng, std::size(kSyntax))]);
            break;
        }
        case 6: {  // duplicate, delete or swap whole lines
            std::vector<std::string> lines;
            size_t p = 0;
            while (p <= s.size()) {
                const size_t e = std::min(s.find('\n', p), s.size());
                lines.push_back(s.substr(p, e - p));
                p = e + 1;
            }
            const auto i = static_cast<size_t>(pick(rng, static_cast<int64_t>(lines.size())));
            const auto j = static_cast<size_t>(pick(rng, static_cast<int64_t>(lines.size())));
            switch (pick(rng, 3)) {
            case 0: lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(j), lines[i]); break;
            case 1: lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i)); break;
            default: std::swap(lines[i], lines[j]); break;
            }
            s.clear();
            for (size_t l = 0; l < lines.size(); ++l) s += (l ? "\n" : "") + lines[l];
            break;
        }
        case 7: {  // a known key where another was
            static const char* const kKeys[] = {"kernel",  "stride", "padding", "pad_value", "out_channels", "out_features",
                                                "keep",    "pe",     "simd",    "tolerance", "bits",         "channels",
                                                "weights", "layers", "type",    "activation"};
            const auto colon = s.find(':', at);
            if (colon == std::string::npos) break;
            size_t b = colon;
            while (b > 0 && (std::isalnum(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '_')) --b;
            s.replace(b, colon - b, kKeys[pick(rng, std::size(kKeys))]);
            break;
        }
        case 8: {  // a long string or key
            const int64_t length = pick(rng, 25) == 0 ? 300000 : 1 + pick(rng, 20000);
            const std::string big(static_cast<size_t>(length), static_cast<char>('a' + pick(rng, 26)));
            s.insert(at, big);
            break;
        }
        default: {
            Bytes b(s.begin(), s.end());
            mutate_bytes(b, rng);
            s.assign(b.begin(), b.end());
            break;
        }
        }
    }
}

// The bytes of one element size `size` of a C-order array rearranged into Fortran order.
Bytes c_to_fortran(const Bytes& data, const std::vector<int64_t>& shape, int size) {
    Bytes out(data.size());
    const auto count = static_cast<int64_t>(data.size()) / size;
    std::vector<int64_t> index(shape.size(), 0);
    for (int64_t c = 0; c < count; ++c) {
        int64_t f = 0;  // the Fortran offset of the C-order multi-index
        for (size_t k = shape.size(); k-- > 0;) f = f * shape[k] + index[k];
        std::memcpy(out.data() + f * size, data.data() + c * size, static_cast<size_t>(size));
        for (size_t k = shape.size(); k-- > 0;) {
            if (++index[k] < shape[k]) break;
            index[k] = 0;
        }
    }
    return out;
}

// An archive rebuilt from decoded arrays: each re-encoded, often faithfully in another layout
// numpy writes (big-endian, Fortran order: such an archive must still load), sometimes with bad
// values, shapes or dtypes, a rewritten .npy header or mutated bytes; stored with correct CRCs.
Bytes mutate_arrays(const std::map<std::string, bnngen::io::Array>& arrays, Rng& rng) {
    std::vector<std::pair<std::string, Bytes>> members;
    // Damage goes to one array (a quarter of the archives get none), so the others still bind and
    // a damaged value reaches the checks and the golden model instead of an earlier refusal.
    const int64_t victim = pick(rng, 4) == 0 ? -1 : pick(rng, static_cast<int64_t>(arrays.size()));
    int64_t index = -1;
    for (auto [name, a] : arrays) {
        const bool damage = ++index == victim;
        if (damage && pick(rng, 10) == 0) continue;  // drop it
        const auto chance = [&](int64_t n) { return damage && pick(rng, n) == 0; };
        if (!a.data.empty() && chance(3)) {
            static const int64_t kValues[] = {0, 2, -2, 3, 127, -128, 255, 32767, 2147483647, -2147483648};
            a.data[static_cast<size_t>(pick(rng, static_cast<int64_t>(a.data.size())))] = kValues[pick(rng, 10)];
        }
        if (chance(6) && a.shape.size() > 1) std::swap(a.shape.front(), a.shape.back());
        if (chance(6)) a.dtype = static_cast<bnngen::io::DType>(pick(rng, 9));  // any integer or bool dtype
        Bytes npy;
        try {
            npy = bnngen::io::encode_npy(a);
        } catch (const bnngen::InputError&) {
            npy = bnngen::io::encode_npy(bnngen::io::Array{bnngen::io::DType::Int8, {1}, {0}});
            a = bnngen::io::Array{bnngen::io::DType::Int8, {1}, {0}};
        }
        const size_t data_at = 10 + static_cast<size_t>(npy[8] | (npy[9] << 8));
        std::string header(npy.begin() + 10, npy.begin() + static_cast<std::ptrdiff_t>(data_at));
        Bytes data(npy.begin() + static_cast<std::ptrdiff_t>(data_at), npy.end());
        const auto replace = [&](const std::string& from, const std::string& to) {
            const auto p = header.find(from);
            if (p != std::string::npos) header.replace(p, from.size(), to);
        };
        const int size = a.element_count() > 0 ? static_cast<int>(data.size() / static_cast<size_t>(a.element_count())) : 1;
        if (pick(rng, 2) == 0 && header.find("'<") != std::string::npos) {  // faithfully big-endian
            for (size_t i = 0; i + static_cast<size_t>(size) <= data.size(); i += static_cast<size_t>(size))
                std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i), data.begin() + static_cast<std::ptrdiff_t>(i) + size);
            replace("'<", "'>");
        }
        if (pick(rng, 2) == 0 && a.shape.size() > 1) {  // faithfully Fortran order
            data = c_to_fortran(data, a.shape, size);
            replace("False", "True");
        }
        // Header rewrites that do not match the data: byte order, memory order, dimensions.
        if (chance(5)) replace("'<", "'>");
        if (chance(5)) replace(pick(rng, 2) == 0 ? "False" : "True", pick(rng, 2) == 0 ? "True" : "False");
        if (chance(4)) {
            const auto nums = numbers_in(header);
            if (!nums.empty()) {
                const size_t p = nums[static_cast<size_t>(pick(rng, static_cast<int64_t>(nums.size())))];
                size_t e = p;
                while (e < header.size() && std::isdigit(static_cast<unsigned char>(header[e]))) ++e;
                static const char* const kDims[] = {"0", "1", "65536", "4294967296", "9223372036854775807",
                                                    "99999999999999999999", "3037000500"};
                header.replace(p, e - p, kDims[pick(rng, 7)]);
            }
        }
        Bytes rebuilt(npy.begin(), npy.begin() + 8);
        rebuilt.push_back(static_cast<uint8_t>(header.size() & 0xff));
        rebuilt.push_back(static_cast<uint8_t>(header.size() >> 8));
        rebuilt.insert(rebuilt.end(), header.begin(), header.end());
        rebuilt.insert(rebuilt.end(), data.begin(), data.end());
        if (chance(3)) mutate_bytes(rebuilt, rng);
        members.emplace_back(name + ".npy", std::move(rebuilt));
    }
    return bnngen::test::stored_zip(members);
}

// ---- running a case -------------------------------------------------------------------------------

struct Tally {
    int64_t cases = 0, loaded = 0, refused = 0, failures = 0;
    std::map<std::string, int64_t> by_kind;
};

struct Failure {
    std::string what;
};

// Runs the golden model on a few images of the network's input shape: what `infer` does next.
void infer_random(const bnngen::Network& net, Rng& rng) {
    bnngen::io::ImageSet images;
    images.count = 2;
    images.channels = net.input.channels;
    images.height = net.input.height;
    images.width = net.input.width;
    if (images.image_size() > (1 << 22)) return;  // a valid but huge input: nothing new to learn
    images.pixels.resize(static_cast<size_t>(images.count * images.image_size()));
    const uint64_t max = (uint64_t{1} << net.input.bits) - 1;
    for (uint16_t& p : images.pixels) p = static_cast<uint16_t>(pick(rng, 3) == 0 ? max : rng() % (max + 1));
    const auto result = bnngen::golden::run_batch(net, images, {0, 1});
    if (result.scores.size() != static_cast<size_t>(2 * net.classes())) throw Failure{"wrong number of scores"};
}

// load_network as `bnngen check` runs it, then inference as `bnngen infer` would.
bool check_and_infer(const fs::path& yaml, Rng& rng) {
    bnngen::DiagnosticBag bag;
    auto net = bnngen::load_network(yaml, bag);
    const std::string text = bnngen::render_all(bag);  // what the CLI prints
    if (!net && bag.error_count() == 0) throw Failure{"load_network failed without an error"};
    if (net) infer_random(*net, rng);
    return net.has_value();
}

class Fuzzer {
public:
    Fuzzer(Corpus& corpus, fs::path work, uint64_t seed) : c_(corpus), work_(std::move(work)), seed_(seed) {}

    // One case, from (seed, index) alone. Returns true if the input was accepted.
    bool run(int64_t index, std::string& kind) {
        Rng rng(seed_ * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index));
        const int64_t what = pick(rng, 10);
        if (what < 4) {  // network descriptions
            // Half of the mutants start from a valid network, half from the bad-input corpus.
            const bool valid = pick(rng, 2) == 0;
            std::vector<const YamlSeed*> seeds;
            for (const YamlSeed& y : c_.yaml)
                if (y.valid == valid) seeds.push_back(&y);
            const YamlSeed& s = *seeds[static_cast<size_t>(pick(rng, static_cast<int64_t>(seeds.size())))];
            std::string text = s.text;
            mutate_yaml(text, rng);
            kind = "yaml";
            const fs::path p = s.dir / fmt::format("mutant{}.yaml", index % 4);
            note(index, kind, p.string());
            write_bytes(p, Bytes(text.begin(), text.end()));
            return check_and_infer(p, rng);
        }
        if (what < 8) {  // weights archives
            const NpzSeed& s = c_.npz[static_cast<size_t>(pick(rng, static_cast<int64_t>(c_.npz.size())))];
            const bool structured = !s.arrays.empty() && pick(rng, 2) == 0;
            Bytes b = structured ? mutate_arrays(s.arrays, rng) : s.bytes;
            if (!structured) mutate_bytes(b, rng);
            kind = structured ? "npz-arrays" : "npz-bytes";
            note(index, kind, s.name);
            if (!s.yaml.empty()) {
                write_bytes(s.yaml.parent_path() / "weights.npz", b);
                return check_and_infer(s.yaml, rng);
            }
            try {
                bnngen::io::parse_npz(b, "mutant.npz");
                return true;
            } catch (const bnngen::InputError&) {
                return false;
            }
        }
        // images and labels
        const ImageSeed& s = c_.images[static_cast<size_t>(pick(rng, static_cast<int64_t>(c_.images.size())))];
        Bytes b = s.bytes;
        mutate_bytes(b, rng);
        if (pick(rng, 4) == 0) b = gzip(b);
        kind = "images";
        note(index, kind, s.name);
        const fs::path p = work_ / "mutant_images";
        write_bytes(p, b);
        bool ok = false;
        try {
            const int64_t limit = pick(rng, 3) == 0 ? 1 : -1;
            const auto images = bnngen::io::load_images(p, s.channels, s.height, s.width, s.bits, limit);
            ok = true;
            if (c_.small && s.height == 28 && images.count > 0) bnngen::golden::run_batch(*c_.small, images, {});
        } catch (const bnngen::InputError&) {
        }
        try {
            Bytes l = c_.labels[static_cast<size_t>(pick(rng, static_cast<int64_t>(c_.labels.size())))];
            mutate_bytes(l, rng);
            write_bytes(p, l);
            bnngen::io::load_labels(p, 10, pick(rng, 2) == 0 ? 2 : -1);
        } catch (const bnngen::InputError&) {
        }
        return ok;
    }

    static void note(int64_t index, const std::string& kind, const std::string& seed) {
        std::snprintf(g_case_text, sizeof g_case_text, "%lld (%s, seed %s)", static_cast<long long>(index),
                      kind.c_str(), seed.c_str());
    }

private:
    Corpus& c_;
    fs::path work_;
    uint64_t seed_;
};

// ---- the CLI binary --------------------------------------------------------------------------------

struct CliResult {
    int status = 0;  // exit code, or 128 + signal
    bool timed_out = false;
    std::string output;
};

CliResult run_cli(const std::vector<std::string>& args, const fs::path& out_file, double seconds) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    CliResult r;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
        r.status = 127;
        return r;
    }
    posix_spawn_file_actions_destroy(&actions);
    const int64_t deadline = now_ms() + static_cast<int64_t>(seconds * 1000);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &wstatus, 0);
            r.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    const Bytes out = read_bytes(out_file);
    r.output.assign(out.begin(), out.end());
    return r;
}

std::string cli_problem(const CliResult& r) {
    if (r.timed_out) return "timed out";
    if (r.status != 0 && r.status != 1) return fmt::format("exit status {}", r.status);
    for (const char* bad : {"internal error", "AddressSanitizer", "LeakSanitizer", "runtime error:", "terminate called"})
        if (r.output.find(bad) != std::string::npos) return fmt::format("output contains '{}'", bad);
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    int64_t cases = 2000, first = 0, cli_cases = 0;
    uint64_t seed = 1;
    double case_seconds = 20;
    std::string bnngen_exe;
    fs::path keep = "fuzz_failures";
    bool verbose = false;
    bool keep_work = false;  // leave the scratch directory (the last mutants) for a look
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                fmt::print(stderr, "fuzz_inputs: {} needs a value\n", a);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--cases") cases = std::stoll(value());
        else if (a == "--first") first = std::stoll(value());
        else if (a == "--seed") seed = std::stoull(value());
        else if (a == "--bnngen") bnngen_exe = value();
        else if (a == "--cli-cases") cli_cases = std::stoll(value());
        else if (a == "--case-seconds") case_seconds = std::stod(value());
        else if (a == "--keep") keep = value();
        else if (a == "--verbose") verbose = true;
        else if (a == "--keep-work") keep_work = true;
        else {
            fmt::print(stderr, "usage: bnngen_fuzz_inputs [--cases N] [--seed S] [--first I] [--bnngen PATH] "
                               "[--cli-cases M] [--case-seconds T] [--keep DIR] [--keep-work] [--verbose]\n");
            return 2;
        }
    }

    const fs::path work = fs::temp_directory_path() / fmt::format("bnngen-fuzz-{}", ::getpid());
    fs::create_directories(work);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, on_signal);
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_set_death_callback(say_dying);
#endif

    // The watchdog: a case that runs longer than the bound is a hang.
    std::atomic<bool> done{false};
    std::thread watchdog([&] {
        while (!done) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const int64_t started = g_case_started_ms.load();
            if (g_case.load() >= 0 && started > 0 && now_ms() - started > static_cast<int64_t>(case_seconds * 1000)) {
                fmt::print(stderr, "\nfuzz_inputs: case {} ran longer than {} s (a hang)\n", g_case_text, case_seconds);
                std::_Exit(124);
            }
        }
    });

    Corpus corpus = load_corpus(work);
    Fuzzer fuzzer(corpus, work, seed);
    Tally t;
    double slowest = 0;
    std::string slowest_case;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = first; i < first + cases; ++i) {
        std::string kind = "?";
        g_case_started_ms = now_ms();
        g_case = i;
        bool accepted = false;
        std::string failure;
        try {
            accepted = fuzzer.run(i, kind);
        } catch (const Failure& f) {
            failure = f.what;
        } catch (const bnngen::InputError& e) {
            failure = "InputError escaped: " + bnngen::render(e.diagnostic());
        } catch (const std::exception& e) {
            failure = fmt::format("uncaught exception (the CLI's exit 3): {}", e.what());
        }
        const double ms = static_cast<double>(now_ms() - g_case_started_ms.load());
        g_case = -1;
        if (ms > slowest) slowest = ms, slowest_case = g_case_text;
        ++t.cases;
        ++t.by_kind[kind];
        (accepted ? t.loaded : t.refused) += 1;
        if (verbose) fmt::print("case {}: {} {:.0f} ms\n", g_case_text, accepted ? "accepted" : "refused", ms);
        if (!failure.empty()) {
            ++t.failures;
            fmt::print(stderr, "fuzz_inputs: FAILURE in case {}: {}\n", g_case_text, failure);
        }
    }

    // The real binary on a few mutants: exit 0 or 1, no internal error, no sanitizer report.
    int64_t cli_done = 0;
    if (!bnngen_exe.empty()) {
        Rng rng(seed ^ 0xc11);
        const fs::path net_dir = work / "cli";
        fs::create_directories(net_dir);
        const fs::path example = kSource / "examples" / "fmnist_small";
        fs::create_symlink(example / "weights.npz", net_dir / "weights.npz");
        for (int64_t i = 0; i < cli_cases; ++i) {
            std::string text = slurp(example / "network.yaml");
            std::vector<std::string> args = {bnngen_exe, "check", (net_dir / "network.yaml").string()};
            if (i % 3 != 2) mutate_yaml(text, rng);
            write_bytes(net_dir / "network.yaml", Bytes(text.begin(), text.end()));
            if (i % 3 != 0 && !corpus.images.empty()) {
                const ImageSeed& s = corpus.images.back();  // fashion6 when Fashion-MNIST is installed
                Bytes b = s.bytes;
                mutate_bytes(b, rng);
                write_bytes(net_dir / "images", b);
                args = {bnngen_exe, "infer", (net_dir / "network.yaml").string(), "--images", (net_dir / "images").string()};
            }
            std::snprintf(g_case_text, sizeof g_case_text, "cli %lld (%s)", static_cast<long long>(i), args[1].c_str());
            const CliResult r = run_cli(args, net_dir / "output.txt", case_seconds);
            ++cli_done;
            const std::string problem = cli_problem(r);
            if (!problem.empty()) {
                ++t.failures;
                fs::create_directories(keep);
                fs::copy_file(net_dir / "network.yaml", keep / fmt::format("cli{}.yaml", i), fs::copy_options::overwrite_existing);
                fmt::print(stderr, "fuzz_inputs: FAILURE in {}: {}; kept in {}\n{}\n", g_case_text, problem,
                           keep.string(), r.output.substr(0, 2000));
            }
        }
    }
    done = true;
    watchdog.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::string kinds;
    for (const auto& [k, n] : t.by_kind) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", k, n);
    fmt::print("fuzz_inputs: {} in-process cases ({}) and {} CLI runs in {:.1f} s, seed {}: {} accepted, {} refused "
               "with diagnostics, {} failures; slowest case {:.0f} ms ({})\n",
               t.cases, kinds, cli_done, seconds, seed, t.loaded, t.refused, t.failures, slowest, slowest_case);
    std::error_code ec;
    if (!keep_work) fs::remove_all(work, ec);
    return t.failures == 0 ? 0 : 1;
}
