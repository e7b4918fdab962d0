/// "Did you mean …?" for a misspelt key: the known key closest in edit distance, if close enough.
enum KeySuggestion {
    /// The closest known key to `name`, compared lower-cased with `-` read as `_` (so `Access-TTL`
    /// suggests `access_ttl`), within an edit distance of a third of the name's length (1 to 3).
    static func closest(to name: String, among keys: [String] = ConfigurationKey.allCases.map(\.name)) -> String? {
        let normalized = Array(name.lowercased().map { $0 == "-" ? "_" : $0 })
        let limit = min(3, max(1, normalized.count / 3))
        var best: (key: String, distance: Int)?
        for key in keys {
            let distance = editDistance(normalized, Array(key))
            if distance <= limit, distance < (best?.distance ?? .max) { best = (key, distance) }
        }
        return best?.key
    }

    /// Levenshtein distance: insertions, deletions and substitutions each cost 1.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
