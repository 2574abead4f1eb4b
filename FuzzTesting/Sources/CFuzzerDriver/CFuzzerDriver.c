// The driver comes from the toolchain's libFuzzer (-sanitize=fuzzer, LLVM >= 12).
#include <stddef.h>
#include <stdint.h>
#include "CFuzzerDriver.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/// libFuzzer may pass NULL for an empty input; the Swift entry points take a non-null pointer.
static int emc_fuzz_one(const uint8_t *data, size_t size) {
    static const uint8_t empty = 0;
    return LLVMFuzzerTestOneInput(data ? data : &empty, size);
}

int emc_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, emc_fuzz_one);
}
