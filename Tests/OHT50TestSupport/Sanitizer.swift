import Foundation

/// Whether this test process (and so the binaries it starts from the same build) runs under
/// AddressSanitizer: ASan replaces mlock/mlockall with calls that do nothing and succeed, so a daemon
/// built with it always reports its memory as locked.
public let runningUnderAddressSanitizer: Bool = dlsym(nil, "__asan_init") != nil
