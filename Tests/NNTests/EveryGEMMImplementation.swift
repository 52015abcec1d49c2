import Tensor
import Testing

/// Runs every test case of a suite once per GEMM implementation this machine has (our AVX-512 and
/// AVX2 kernels, OpenBLAS), so the parity and gradient checks hold on every path; a failure's
/// comments name the implementation it happened on.
struct EveryGEMMImplementation: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        for implementation in BLAS.Kernels.available {
            let naming: IssueHandlingTrait = .compactMapIssues { issue in
                var issue = issue
                issue.comments.append("GEMM implementation: \(implementation)")
                return issue
            }
            try await BLAS.$kernelsOverride.withValue(implementation) {
                try await naming.provideScope(for: test, testCase: testCase, performing: function)
            }
        }
    }
}

extension Trait where Self == EveryGEMMImplementation {
    /// Each test case runs on each of our own GEMM kernels the CPU has and on OpenBLAS.
    static var onEveryGEMMImplementation: Self { Self() }
}
