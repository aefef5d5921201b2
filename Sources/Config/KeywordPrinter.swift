extension Keyword {
    /// The grammar as an indented tree, one keyword per line with its arguments (for `vigil check --keywords`).
    public static func renderTree(_ keywords: [Keyword] = Keyword.grammar, indent: String = "") -> String {
        var out = ""
        for k in keywords {
            out += indent + k.synopsis + "\n"
            if case .block(let children) = k.body {
                out += renderTree(children, indent: indent + "    ")
            }
        }
        return out
    }
}
