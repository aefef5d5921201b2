extension Duration {
    /// The time in seconds as keepalived.conf writes it, for messages: `1`, `0.5`, `40.95`. Rounded to the
    /// nanosecond (the builder parses to the nanosecond), so no binary fraction shows.
    var configText: String {
        if self < .zero { return "-" + (Duration.zero - self).configText }
        let (seconds, attoseconds) = components
        var whole = seconds
        var nanoseconds = (attoseconds + 500_000_000) / 1_000_000_000
        if nanoseconds >= 1_000_000_000 {
            whole += 1
            nanoseconds -= 1_000_000_000
        }
        guard nanoseconds > 0 else { return String(whole) }
        var fraction = String(nanoseconds)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
