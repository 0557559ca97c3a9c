// Block test of templates/popcount against a C++ popcount: count = number of ones of in (N bits),
// in OUT_WIDTH bits (bits above the count's width must be 0).
//
// Arguments (key=value): N, OUT_WIDTH (must match the -G values of the build), n (random vectors per
// density), seed.
// The block is combinational: set `in`, eval(), read `count`. For N <= 16 every one of the 2^N
// inputs; otherwise all zeros, all ones, every one-hot and every zero-hot vector, every count 0 .. N
// once (that many ones at random places), runs of ones of lengths 1 .. 7, 11, 12, 13, N/2 and
// N - s starting at every position s (and their complements), and n random vectors at each density
// 0.05, 0.10 .. 0.95. Every vector is checked; the first mismatches are printed.
#include "Vpopcount.h"
#include "tb_common.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>
#include <set>

using tb::Bits;

namespace {

int ones(const Bits& b) {
    int c = 0;
    for (int i = 0; i < b.width(); ++i) c += b.get(i);
    return c;
}

Bits complement(const Bits& b) {
    Bits r(b.width());
    for (int i = 0; i < b.width(); ++i) r.set(i, !b.get(i));
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int N = int(a.req("N")), W = int(a.req("OUT_WIDTH"));
    const long n = a.i("n", 300);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    int need = 0;
    while ((1L << need) < N + 1) ++need;  // $clog2(N + 1)
    if (N < 1 || W < need) {
        std::fprintf(stderr, "bad parameters N=%d OUT_WIDTH=%d\n", N, W);
        return 2;
    }

    auto m = std::make_unique<Vpopcount>(ctx.get());
    tb::Checker chk;
    long vectors = 0;
    std::set<int> seen;
    auto check = [&](const Bits& in, const char* kind) {
        tb::put_port(m->in, in);
        m->eval();
        const Bits got = tb::get_port(m->count, W);
        const int want = ones(in);
        Bits expect(W);
        expect.set_field(0, std::min(W, 32), uint64_t(want));
        ++vectors;
        seen.insert(want);
        if (got != expect)
            chk.fail(std::string(kind) + " in=" + in.hex() + ": count " + got.hex() + ", expected " + expect.hex() +
                     " (" + std::to_string(want) + ")");
    };

    std::mt19937_64 rng(seed);
    if (N <= 16) {
        for (uint32_t v = 0; v < (1u << N); ++v) {
            Bits in(N);
            in.set_word(0, v);
            check(in, "exhaustive");
        }
    } else {
        check(Bits(N), "zeros");
        check(Bits::ones(N), "ones");
        for (int i = 0; i < N; ++i) {
            Bits in(N);
            in.set(i, true);
            check(in, "one-hot");
            check(complement(in), "zero-hot");
        }
        // every count once, at random places
        std::vector<int> pos(size_t(N), 0);
        std::iota(pos.begin(), pos.end(), 0);
        for (int k = 0; k <= N; ++k) {
            std::shuffle(pos.begin(), pos.end(), rng);
            Bits in(N);
            for (int i = 0; i < k; ++i) in.set(pos[size_t(i)], true);
            check(in, "count");
        }
        // runs of ones (and of zeros) at each position
        for (int s = 0; s < N; ++s) {
            std::set<int> lens{1, 2, 3, 4, 5, 6, 7, 11, 12, 13, N / 2, N - s};
            for (int len : lens) {
                if (len < 1 || s + len > N) continue;
                Bits in(N);
                for (int i = s; i < s + len; ++i) in.set(i, true);
                check(in, "run");
                check(complement(in), "zero-run");
            }
        }
        // random vectors at densities 0.05 .. 0.95
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (int d = 1; d <= 19; ++d) {
            const double density = 0.05 * d;
            for (long r = 0; r < n; ++r) {
                Bits in(N);
                for (int i = 0; i < N; ++i) in.set(i, u(rng) < density);
                check(in, "random");
            }
        }
    }
    m->final();
    char name[96], summary[160];
    std::snprintf(name, sizeof name, "popcount N=%d OUT_WIDTH=%d", N, W);
    if (N <= 16) std::snprintf(summary, sizeof summary, "exhaustive, vectors=%ld", vectors);
    else std::snprintf(summary, sizeof summary, "directed+random (seed=%lu, n=%ld per density), vectors=%ld",
                       (unsigned long)seed, n, vectors);
    std::snprintf(summary + std::strlen(summary), sizeof summary - std::strlen(summary), ", distinct counts %zu of %d",
                  seen.size(), N + 1);
    if (int(seen.size()) != N + 1) chk.fail("not every count 0 .. N was exercised");
    return tb::report(name, chk, summary);
}
