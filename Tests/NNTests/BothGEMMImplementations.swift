import Tensor
import Testing

/// Runs every test case of a suite once per GEMM implementation this machine has (our AVX-512
/// kernels and OpenBLAS), so the parity and gradient checks hold on both paths; a failure's
/// comments name the implementation it happened on.
struct BothGEMMImplementations: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let implementations: [BLAS.Kernels] = BLAS.ownKernelsAvailable ? [.own, .openBLAS] : [.openBLAS]
        for implementation in implementations {
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

extension Trait where Self == BothGEMMImplementations {
    /// Each test case runs on our own GEMM kernels and on OpenBLAS.
    static var onBothGEMMImplementations: Self { Self() }
}
