/// Comparison of secrets (HMACs, hashes of client secrets) in time that does not depend on where
/// they first differ, so that a remote caller cannot learn a secret byte by byte from timing.
public enum ConstantTime {
    /// Whether `left` and `right` are equal; only their lengths may show in the timing.
    public static func equal(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
