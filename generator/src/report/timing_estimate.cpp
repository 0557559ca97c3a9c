#include "bnngen/report/timing_estimate.hpp"

namespace bnngen::report {

LevelDelay level_delay(const std::string& family) {
    // Per level: a LUT (0.1-0.15 ns) and a typical net (0.3-0.6 ns) at the slowest speed grade;
    // overhead: clock-to-out, setup and clock uncertainty (Xilinx DS183/DS923/DS925 orders of
    // magnitude, not a timing model).
    if (family == "xcup") {
        return LevelDelay{0.45, 0.6};
    }
    if (family == "xcu") {
        return LevelDelay{0.55, 0.7};
    }
    return LevelDelay{0.7, 0.9};
}

double estimated_mhz(int64_t levels, const std::string& family) {
    if (levels < 0) {
        return 0.0;
    }
    const LevelDelay d = level_delay(family);
    return 1000.0 / (d.overhead_ns + static_cast<double>(levels) * d.per_level_ns);
}

}  // namespace bnngen::report
