#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H

/// Runs libFuzzer's driver on this executable's `LLVMFuzzerTestOneInput` (defined in Swift with
/// `@_cdecl`). SwiftPM links debug executables with `main` redirected to `<Target>_main`, so each
/// target's `<Target>_main` calls this instead of relying on libFuzzer's own `main`.
int emc_fuzz_main(int argc, char **argv);

#endif
