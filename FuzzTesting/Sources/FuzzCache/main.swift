import CFuzzerDriver
import FuzzTargets

/// libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.cache(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// SwiftPM links debug executables with `main` redirected here (see Package.swift).
@_cdecl("FuzzCache_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    emc_fuzz_main(argc, argv)
}
