extension Keyword {
    /// The grammar as an indented tree, one keyword per line with its arguments and, when it is not implemented,
    /// its status and what happens instead (for `vigil check --keywords`).
    public static func renderTree(_ keywords: [Keyword] = Keyword.grammar, indent: String = "") -> String {
        var out = ""
        for k in keywords {
            out += indent + k.synopsis
            if k.since != "2.2.7" { out += "   (keepalived \(k.since))" }
            out += "\n"
            if let why = k.status.explanation { out += indent + "    -> " + why + "\n" }
            if case .block(let children) = k.body {
                out += renderTree(children, indent: indent + "    ")
            }
        }
        return out
    }
}

/// The keyword table flattened, for the generated reference (`docs/keywords.md`) and the README's list of what is
/// only warned about. Both are generated from `Keyword.grammar`, never written by hand.
public enum KeywordTable {
    /// One keyword in one block.
    public struct Row: Sendable, Equatable {
        /// The enclosing blocks, `""` at the top level (`vrrp_instance/authentication`).
        public var path: String
        public var keyword: String
        public var aliases: [String]
        /// Arguments and body, as `synopsis` writes them without the name.
        public var arguments: String
        public var since: String
        public var status: KeywordStatus
    }

    /// Every keyword of the grammar, depth first in grammar order.
    public static func rows(_ keywords: [Keyword] = Keyword.grammar, path: String = "",
                            inherited: KeywordStatus = .implemented) -> [Row] {
        var out: [Row] = []
        for k in keywords {
            // The keywords of a block that is not implemented share its status.
            let status = k.status == .implemented ? inherited : k.status
            var args = k.arguments.map(\.description).joined(separator: " ")
            switch k.body {
            case .none: break
            case .block: args += (args.isEmpty ? "" : " ") + (k.bodyOptional ? "[{ … }]" : "{ … }")
            case .list(let entry):
                args += (args.isEmpty ? "" : " ") + "{ " + entry.map(\.description).joined(separator: " ") + " … }"
            }
            if k.skipped { args = "…" }
            out.append(Row(path: path, keyword: k.name, aliases: k.aliases, arguments: args, since: k.since,
                           status: status))
            if !k.children.isEmpty {
                out += rows(k.children, path: path.isEmpty ? k.name : path + "/" + k.name, inherited: status)
            }
        }
        return out
    }

    private static func statusText(_ s: KeywordStatus) -> String {
        guard let tag = s.tag, let why = s.explanation else { return "implemented" }
        return "**\(tag)**: " + why
    }

    private static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
    }

    /// `docs/keywords.md`.
    public static func markdown() -> String {
        let all = rows()
        func count(_ p: (KeywordStatus) -> Bool) -> Int { all.filter { p($0.status) }.count }
        var out = """
            # keepalived.conf keywords in Vigil

            Generated from the keyword table (`Sources/Config/Keyword.swift`) by `scripts/config/gen-keywords.sh`;
            do not edit by hand. `vigil check --keywords --markdown` prints this file, `vigil check --keywords` the same
            table as a tree.

            Every keyword keepalived knows, from 2.2.7 to 2.4.3 (and the 1.x ones old files still carry), is accepted.
            A keyword that is not implemented is a warning where it is written, saying what happens instead; a word that
            is no keepalived keyword is an error. The *keepalived* column is the first version that knows the keyword
            (2.2.7 stands for "2.2.7 or earlier"; 1.x for a keyword keepalived 2.x no longer knows; *vigil* for a Vigil
            extension, which keepalived reports as an unknown keyword and ignores: `vigil_route_table` and
            `vigil_announce`, see [anycast.md](anycast.md); `vigil_failback_hold` and `vigil_handover_on_stop`, see [connections.md](connections.md)).

            | status | keywords |
            |---|---|
            | implemented | \(count { $0 == .implemented }) |
            | not implemented yet (warning) | \(count { if case .notImplemented = $0 { true } else { false } }) |
            | ignored: no meaning in Vigil (warning) | \(count { if case .ignored = $0 { true } else { false } }) |
            | ignored, as keepalived 2.x ignores it (warning) | \(count { if case .keepalivedIgnores = $0 { true } else { false } }) |


            """
        var seen: [String] = []
        for row in all where !seen.contains(row.path) { seen.append(row.path) }
        for path in seen {
            out += "## " + (path.isEmpty ? "Top level" : "`\(path)`") + "\n\n"
            out += "| keyword | arguments | keepalived | Vigil |\n|---|---|---|---|\n"
            for row in all where row.path == path {
                let names = ([row.keyword] + row.aliases).map { "`\($0)`" }.joined(separator: ", ")
                let args = row.arguments.isEmpty ? "" : "`\(cell(row.arguments))`"
                out += "| \(names) | \(args) | \(row.since) | \(cell(statusText(row.status))) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// The README's list of keywords that are only warned about: by status, then one line per block.
    public static func warnedOnlyMarkdown() -> String {
        let all = rows()
        func section(_ title: String, _ p: (KeywordStatus) -> Bool) -> String {
            var byPath: [(String, [String])] = []
            for row in all where p(row.status) {
                let name = "`\(row.keyword)`"
                if let i = byPath.firstIndex(where: { $0.0 == row.path }) {
                    byPath[i].1.append(name)
                } else {
                    byPath.append((row.path, [name]))
                }
            }
            var out = "- \(title):\n"
            for (path, names) in byPath {
                out += "  - " + (path.isEmpty ? "top level" : "`\(path)`") + ": " + names.joined(separator: ", ") + "\n"
            }
            return out
        }
        return section("not implemented yet") { if case .notImplemented = $0 { true } else { false } }
            + section("ignored, having no meaning in Vigil") { if case .ignored = $0 { true } else { false } }
            + section("ignored, as keepalived 2.x ignores them") { if case .keepalivedIgnores = $0 { true } else { false } }
    }
}
