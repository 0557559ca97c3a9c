// Which Xilinx primitive counts as which resource of the report. Logic LUTs and flip-flops are
// cells; LUTRAM is counted in LUTs, the unit of Vivado's "LUT as Memory", because one
// distributed-RAM cell occupies 1 to 8 LUTs of a SLICEM (UG474 / UG574 tables of distributed RAM
// configurations). Carry chains, wide multiplexers (MUXF7/8/9), inverters and I/O buffers are in
// no column: they stay in the cell counts of the JSON.
#include "bnngen/report/resource_report.hpp"

#include <string_view>
#include <utility>

namespace bnngen::report {
namespace {

enum class Column { Lut, Ff, Ramb18, Ramb36, Dsp, Lutram };

struct CellClass {
    std::string_view type;
    Column column;
    int64_t weight;  // resource units per cell (LUTs for LUTRAM, 1 otherwise)
};

constexpr CellClass kClasses[] = {
    {"LUT1", Column::Lut, 1}, {"LUT2", Column::Lut, 1}, {"LUT3", Column::Lut, 1},
    {"LUT4", Column::Lut, 1}, {"LUT5", Column::Lut, 1}, {"LUT6", Column::Lut, 1},
    {"LUT6_2", Column::Lut, 1},
    // Flip-flops, and latches, which occupy the same register sites.
    {"FDRE", Column::Ff, 1}, {"FDSE", Column::Ff, 1}, {"FDCE", Column::Ff, 1}, {"FDPE", Column::Ff, 1},
    {"FDRE_1", Column::Ff, 1}, {"FDSE_1", Column::Ff, 1}, {"FDCE_1", Column::Ff, 1}, {"FDPE_1", Column::Ff, 1},
    {"LDCE", Column::Ff, 1}, {"LDPE", Column::Ff, 1}, {"LDCE_1", Column::Ff, 1}, {"LDPE_1", Column::Ff, 1},
    {"RAMB18E1", Column::Ramb18, 1}, {"RAMB18E2", Column::Ramb18, 1},
    {"FIFO18E1", Column::Ramb18, 1}, {"FIFO18E2", Column::Ramb18, 1},
    {"RAMB36E1", Column::Ramb36, 1}, {"RAMB36E2", Column::Ramb36, 1},
    {"FIFO36E1", Column::Ramb36, 1}, {"FIFO36E2", Column::Ramb36, 1},
    {"DSP48E1", Column::Dsp, 1}, {"DSP48E2", Column::Dsp, 1},
    // Distributed RAM, in LUTs per cell.
    {"RAM32X1S", Column::Lutram, 1}, {"RAM32X1D", Column::Lutram, 2}, {"RAM32M", Column::Lutram, 4},
    {"RAM32M16", Column::Lutram, 8}, {"RAM64X1S", Column::Lutram, 1}, {"RAM64X1D", Column::Lutram, 2},
    {"RAM64M", Column::Lutram, 4}, {"RAM64M8", Column::Lutram, 8}, {"RAM128X1S", Column::Lutram, 2},
    {"RAM128X1D", Column::Lutram, 4}, {"RAM256X1S", Column::Lutram, 4}, {"RAM256X1D", Column::Lutram, 8},
    {"RAM512X1S", Column::Lutram, 8}, {"RAM32X16DR8", Column::Lutram, 8}, {"RAM64X8SW", Column::Lutram, 8},
    // Shift registers: one LUT each.
    {"SRL16E", Column::Lutram, 1}, {"SRLC16E", Column::Lutram, 1}, {"SRLC32E", Column::Lutram, 1},
};

}  // namespace

Resources& Resources::operator+=(const Resources& other) {
    lut += other.lut;
    ff += other.ff;
    ramb18 += other.ramb18;
    ramb36 += other.ramb36;
    dsp += other.dsp;
    lutram += other.lutram;
    return *this;
}

Resources resources_of(const CellCounts& cells) {
    Resources r;
    for (const auto& [type, count] : cells) {
        for (const CellClass& c : kClasses) {
            if (c.type != type) {
                continue;
            }
            const int64_t units = count * c.weight;
            switch (c.column) {
            case Column::Lut: r.lut += units; break;
            case Column::Ff: r.ff += units; break;
            case Column::Ramb18: r.ramb18 += units; break;
            case Column::Ramb36: r.ramb36 += units; break;
            case Column::Dsp: r.dsp += units; break;
            case Column::Lutram: r.lutram += units; break;
            }
        }
    }
    return r;
}

}  // namespace bnngen::report
