// `bnngen import`: runs the embedded Python importer (generator/import/bnngen_import, compiled in
// by cmake/embed_importer.cmake) with Debian's /usr/bin/python3 and python3-onnx. The importer
// writes into a scratch folder; bnngen loads and checks the result, and only then writes
// DIR/network.yaml and DIR/weights.npz (each atomically), so a refused model leaves nothing in DIR.
#include "import_command.hpp"

#include "cli_common.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/diag/render.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>
#include <vector>

extern char** environ;

namespace bnngen::cli {

// embedded_importer.cpp (generated): relative path -> source of every bnngen_import/*.py.
const std::map<std::string, std::string_view>& importer_sources();

namespace {

namespace fs = std::filesystem;

// A scratch folder removed when it goes out of scope.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (fs::temp_directory_path() / "bnngen-import-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) {
            throw std::runtime_error(fmt::format("cannot create a temporary folder: {}", std::strerror(errno)));
        }
        path_ = buf.data();
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_text(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) {
        throw std::runtime_error(fmt::format("cannot write {}", path.string()));
    }
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs argv with the same stdin/stdout/stderr; returns the exit status (128 + signal when killed,
// -1 when the program could not be started).
int spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
        return -1;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

std::string python_interpreter() {
    if (const char* p = std::getenv("BNNGEN_PYTHON"); p != nullptr && *p != '\0') {
        return p;
    }
    return "/usr/bin/python3";
}

}  // namespace

int run_import(const ImportOptions& opt) {
    ScratchDir scratch;
    const fs::path code = scratch.path() / "code";
    for (const auto& [rel, text] : importer_sources()) {
        write_text(code / rel, text);
    }
    const fs::path staged = scratch.path() / "out";
    const std::string python = python_interpreter();
    std::vector<std::string> args = {
        python, "-I", "-B", "-c",
        "import sys; sys.path.insert(0, sys.argv.pop(1)); from bnngen_import.__main__ import main; sys.exit(main())",
        code.string(), opt.model, "--out", staged.string(), "--label", opt.model};
    if (!opt.name.empty()) {
        args.insert(args.end(), {"--name", opt.name});
    }
    if (opt.input_bits) {
        args.insert(args.end(), {"--input-bits", std::to_string(*opt.input_bits)});
    }
    const int status = spawn(args);
    if (status == -1 || status == 127) {
        fmt::print(stderr,
                   "bnngen import: error: cannot run {}: bnngen import needs Python 3 with Debian's python3-onnx and "
                   "python3-numpy (scripts/setup.sh installs them; BNNGEN_PYTHON names another interpreter)\n",
                   python);
        return kExitInputError;
    }
    if (status == 1) {
        return kExitInputError;  // the importer printed what is wrong with the model
    }
    if (status != 0) {
        fmt::print(stderr, "bnngen import: internal error: the importer exited with status {}\nplease report this as a bug\n",
                   status);
        return kExitInternalError;
    }

    // What import writes, check accepts: load and check the staged network before it is written.
    const fs::path staged_yaml = staged / "network.yaml";
    bnngen::DiagnosticBag bag;
    auto net = bnngen::load_network(staged_yaml.string(), bag);
    if (!net) {
        print_diagnostics(bag);
        fmt::print(stderr, "bnngen import: internal error: the imported network does not pass bnngen check\n"
                           "please report this as a bug\n");
        return kExitInternalError;
    }
    bnngen::DiagnosticBag hardware;
    if (!bnngen::rtl::check_hardware_support(*net, hardware)) {
        print_diagnostics(hardware);
        fmt::print(stderr, "{}: error: the imported network cannot be built by bnngen's hardware (above)\n", opt.model);
        return kExitInputError;
    }
    const fs::path dir = opt.dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        fmt::print(stderr, "{}: error: cannot create the output folder: {}\n", dir.string(), ec.message());
        return kExitInputError;
    }
    // weights first: a reader that sees the new network.yaml sees its weights
    for (const char* file : {"weights.npz", "network.yaml"}) {
        const std::string bytes = read_bytes(staged / file);
        bnngen::io::write_file_atomic(dir / file, std::string_view(bytes));
    }
    fmt::print("wrote {} and {}\n", (dir / "network.yaml").string(), (dir / "weights.npz").string());
    return 0;
}

}  // namespace bnngen::cli
