// Declarations only: the driver itself comes from the toolchain's libFuzzer (-sanitize=fuzzer).
#include "CFuzzerDriver.h"
