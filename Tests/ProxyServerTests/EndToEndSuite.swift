import Testing

/// Every suite of this target, one test at a time: each starts emulators, listeners or child
/// processes, and on a two-core machine running them all at once would starve the other
/// targets' timing-sensitive tests that run beside them.
@Suite("Proxy end to end", .serialized)
enum EndToEnd {}
