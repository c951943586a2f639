// Spelling: suggests the accepted key a misspelt one was probably meant to be ("endpiont" → "endpoint").

enum Spelling {
    /// The candidate within a small edit distance of `word`, if exactly one is closest.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(1, word.count / 3)
        let scored = candidates.map { (candidate: $0, distance: distance(word.lowercased(), $0)) }
            .filter { $0.distance <= limit }
        guard let best = scored.map(\.distance).min() else { return nil }
        let winners = scored.filter { $0.distance == best }
        return winners.count == 1 ? winners.first?.candidate : nil
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit (optimal string alignment).
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
