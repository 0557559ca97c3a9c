#include "bnngen/io/atomic_file.hpp"

#include "io_detail.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace bnngen::io {

namespace {

[[noreturn]] void write_failed(const std::filesystem::path& path, const std::string& what, int err) {
    detail::fail("write-failed", path.string(), fmt::format("{}: {}", what, detail::os_reason(err)));
}

// A name no other writer uses: the process id keeps processes apart, the counter threads.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    const std::string name = fmt::format(".{}.tmp-{}-{}", path.filename().string(), ::getpid(), counter++);
    return path.parent_path() / name;
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
    if (path.filename().empty()) detail::fail("write-failed", path.string(), "cannot write a file: the path names a directory");

    // open() with 0666 lets the umask decide the permissions, as for any newly created file;
    // mkstemp would leave the result readable by its owner only.
    std::filesystem::path temp;
    int fd = -1;
    for (int attempt = 0; fd < 0; ++attempt) {
        temp = temp_path_for(path);
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && (errno != EEXIST || attempt == 100)) {
            const std::string dir = path.parent_path().empty() ? "." : path.parent_path().string();
            write_failed(path, fmt::format("cannot create a temporary file in directory '{}'", dir), errno);
        }
    }

    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            write_failed(path, "cannot write the temporary file", err);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        write_failed(path, "cannot write the temporary file", err);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        write_failed(path, "cannot rename the temporary file over it", err);
    }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text) {
    write_file_atomic(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace bnngen::io
