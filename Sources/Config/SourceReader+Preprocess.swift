// The text-level half of `SourceReader`: definitions, substitution, built-in definitions, `~SEQ` / `~LST` and
// include patterns, on one line at a time with the source column of each byte. Follows keepalived.conf(5)
// ("Parameter substitution", "Sequence blocks", "List blocks") and what keepalived 2.2.7 does with the same input.

extension SourceReader {
    private static let dollar = UInt8(ascii: "$"), at = UInt8(ascii: "@"), tilde = UInt8(ascii: "~"),
                       quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), backslash = UInt8(ascii: "\\"),
                       hash = UInt8(ascii: "#"), bang = UInt8(ascii: "!"), equals = UInt8(ascii: "="),
                       openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"), comma = UInt8(ascii: ","),
                       openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")")

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private func location(_ origin: Origin, _ column: Int32) -> SourceLocation {
        SourceLocation(file: origin.path, line: origin.line, column: Int(column))
    }

    /// Preprocesses one line that needs more than lexing (it holds `$` or starts with `~`, or it was generated):
    /// `@ID`, a definition, `~SEQ` / `~LST`, then substitution, re-examined while a substitution produced more
    /// (keepalived 2.2.7 re-examines a line that then starts with `@` or still holds `$`). True when `out` holds
    /// tokens for the parser.
    mutating func processGenerated(_ text: LineText, origin: Origin, depth: Int, into out: inout [Token]) -> Bool {
        var t = text
        if continuing != nil {
            continueDefinition(t)
            return false
        }
        var budget = Self.maxSubstitutionsPerLine
        var rounds = 0
        while true {
            Self.trimLeadingBlanks(&t)
            guard let first = t.bytes.first else { return false }
            if first == Self.at {
                // keepalived: the id runs to the first blank, and a line with nothing after it is dropped.
                var j = 1
                var negate = false
                if j < t.bytes.count && t.bytes[j] == UInt8(ascii: "^") { negate = true; j += 1 }
                let idStart = j
                while j < t.bytes.count && !Self.isBlank(t.bytes[j]) { j += 1 }
                if j >= t.bytes.count { return false }
                let id = String(decoding: t.bytes[idStart..<j], as: UTF8.self)
                if (id == configID) == negate { return false }
                t.bytes.removeFirst(j)
                t.columns.removeFirst(j)
                continue
            }
            if first == Self.dollar, define(t, origin: origin) { return false }
            if Self.hasPrefix(t.bytes, "~SEQ") || Self.hasPrefix(t.bytes, "~LST") {
                startSequence(t, origin: origin, depth: depth)
                return false
            }
            if first == Self.tilde || rounds >= Self.maxMacroExpansions || !t.bytes.contains(Self.dollar) { break }
            rounds += 1
            let before = t
            switch substitute(&t, origin: origin, depth: depth, budget: &budget) {
            case .unchanged:
                break
            case .changed:
                Self.trimLeadingBlanks(&t)
                if let f = t.bytes.first, f == Self.at || f == Self.tilde || t.bytes.contains(Self.dollar) { continue }
            case .failed:
                t = before
            }
            break
        }
        problems.removeAll(keepingCapacity: true)
        dollars.removeAll(keepingCapacity: true)
        out.removeAll(keepingCapacity: true)
        let line32 = Int32(truncatingIfNeeded: origin.line)
        let lineID = lineCounter &+ 1
        t.bytes.withUnsafeBufferPointer { buf in
            LineLexer.lex(buf, 0..<buf.count, columnBase: 1, file: origin.file, line: line32, lineID: lineID,
                          into: &out, dollars: &dollars, problems: &problems)
        }
        return finishLine(origin: origin, columns: t.columns, into: &out)
    }

    private static func trimLeadingBlanks(_ t: inout LineText) {
        var k = 0
        while k < t.bytes.count && LineLexer.isSpace(t.bytes[k]) { k += 1 }
        if k > 0 {
            t.bytes.removeFirst(k)
            t.columns.removeFirst(k)
        }
    }

    private static func hasPrefix(_ bytes: [UInt8], _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        return prefix.withUTF8Buffer { p in (0..<n).allSatisfy { bytes[$0] == p[$0] } }
    }

    // MARK: Definitions

    /// keepalived's decomment(): drops a comment (`#` or `!` outside quotes), turns `\#` / `\!` into `#` / `!`,
    /// trims blanks at both ends; true when the line ended in a continuation `\` (which is removed).
    static func decomment(_ bytes: [UInt8]) -> (text: [UInt8], continues: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inQuote = false
        var continues = false
        var k = 0
        while k < bytes.count && isBlank(bytes[k]) { k += 1 }
        while k < bytes.count {
            let b = bytes[k]
            if b == quote { inQuote.toggle() }
            if b == backslash {
                if k + 1 >= bytes.count { continues = true; break }
                let next = bytes[k + 1]
                if !inQuote && (next == hash || next == bang) {
                    out.append(next)
                } else {
                    out.append(b)
                    out.append(next)
                }
                k += 2
                continue
            }
            if !inQuote && (b == hash || b == bang) { break }
            out.append(b)
            k += 1
        }
        while let last = out.last, isBlank(last) || last == 0x0D { out.removeLast() }
        return (out, continues)
    }

    /// `$NAME=value`: stores the definition and returns true; false when the line is no definition. A value ending
    /// in `\` starts a multi-line definition, continued by the following lines.
    private mutating func define(_ t: LineText, origin: Origin) -> Bool {
        let b = t.bytes
        guard b.count >= 3, Self.isNameStart(b[1]) else { return false }
        var j = 2
        while j < b.count && Self.isNameByte(b[j]) { j += 1 }
        guard j < b.count, b[j] == Self.equals else { return false }
        let name = String(decoding: b[1..<j], as: UTF8.self)
        var (value, continues) = Self.decomment(Array(b[(j + 1)...]))
        let loc = location(origin, t.columns.first ?? 1)
        guard value.count <= Self.maxExpansionBytes else {
            sink.error(.invalidValue, loc, "definition of '$\(name)' is longer than \(Self.maxExpansionBytes) bytes")
            return true
        }
        if continues {
            if !value.isEmpty { value.append(Self.newline) }
            multilineMacros.insert(name)
            continuing = (name, loc)
        } else {
            multilineMacros.remove(name)
        }
        macros[name] = String(decoding: value, as: UTF8.self)
        exhaustedMacros[name] = nil
        return true
    }

    /// One line after `$NAME= … \`: an empty line ends the definition, a blank or comment line is skipped, a line
    /// ending in `\` is added and continues it, any other line is added and ends it.
    mutating func continueDefinition(_ t: LineText) {
        guard let (name, start) = continuing else { return }
        var value = Array((macros[name] ?? "").utf8)
        if t.bytes.isEmpty {
            continuing = nil
            if value.isEmpty { multilineMacros.remove(name) }
            return
        }
        var (line, continues) = Self.decomment(t.bytes)
        if line.isEmpty && continues { return }   // a lone `\` adds nothing
        if line.isEmpty { return }                 // a blank or comment line neither adds nor ends
        if continues { line.append(Self.newline) } else { continuing = nil }
        guard value.count + line.count <= Self.maxExpansionBytes else {
            sink.error(.invalidValue, start, "multi-line definition of '$\(name)' is longer than \(Self.maxExpansionBytes) bytes")
            continuing = nil
            macros[name] = nil
            multilineMacros.remove(name)
            exhaustedMacros[name] = nil
            return
        }
        value.append(contentsOf: line)
        if continuing == nil, value.last == Self.newline { value.removeLast() }
        macros[name] = String(decoding: value, as: UTF8.self)
        exhaustedMacros[name] = nil
    }

    // MARK: Substitution

    /// What `substitute` did to a line.
    enum SubstitutionResult {
        /// No reference was replaced.
        case unchanged
        /// At least one reference was replaced.
        case changed
        /// A limit was hit (reported); the caller keeps the line as it was.
        case failed
    }

    /// A `$NAME`, `${NAME}` or `${NAME params}` at `bytes[start]`.
    private struct Reference {
        var name: String
        var params: [String]?
        var end: Int
    }

    /// The reference starting at `input[start]` (`$`), read as keepalived does: a bare name must be followed by a
    /// blank, `,`, `)`, the end of the line or (outside quotes) a comment; a braced one may carry blank-separated
    /// parameters, without a blank before the `}`.
    private static func reference<C: RandomAccessCollection<UInt8>>(in input: C, at start: Int, inQuote: Bool)
        -> Reference? where C.Index == Int {
        var j = start + 1
        let end = input.endIndex
        var braced = false
        if j < end && input[j] == openBrace { braced = true; j += 1 }
        guard j < end, isNameStart(input[j]) else { return nil }
        let nameStart = j
        while j < end && isNameByte(input[j]) { j += 1 }
        let name = String(decoding: input[nameStart..<j], as: UTF8.self)
        if !braced {
            if j < end {
                let c = input[j]
                let ok = isBlank(c) || c == comma || c == closeParen || c == 0x0D || (!inQuote && (c == hash || c == bang))
                if !ok { return nil }
            }
            return Reference(name: name, params: nil, end: j)
        }
        var params: [String] = []
        var k = j
        var current: [UInt8] = []
        var lastWasBlank = false
        while k < end && (isBlank(input[k]) || isNameByte(input[k])) {
            if isBlank(input[k]) {
                if !current.isEmpty { params.append(String(decoding: current, as: UTF8.self)); current = [] }
                lastWasBlank = true
            } else {
                current.append(input[k])
                lastWasBlank = false
            }
            k += 1
        }
        if !current.isEmpty { params.append(String(decoding: current, as: UTF8.self)) }
        guard k < end, input[k] == closeBrace else { return nil }
        if lastWasBlank && !params.isEmpty { return nil }
        return Reference(name: name, params: params.isEmpty ? nil : params, end: k + 1)
    }

    /// True when only blanks or a comment follow `from`.
    private static func atLineEnd<C: RandomAccessCollection<UInt8>>(_ input: C, from: Int) -> Bool where C.Index == Int {
        var k = from
        while k < input.endIndex && (isBlank(input[k]) || input[k] == 0x0D) { k += 1 }
        return k == input.endIndex || input[k] == hash || input[k] == bang
    }

    /// Replaces the references in `t`, rescanning each replacement (keepalived's recursion), within `budget`
    /// substitutions and `maxExpansionBytes`. A multi-line definition used at the end of the line gives its first
    /// line here and queues the rest. An undefined name outside quotes is a warning and stays as written.
    mutating func substitute(_ t: inout LineText, origin: Origin, depth: Int, budget: inout Int) -> SubstitutionResult {
        // Output so far, and the input still to scan kept reversed so a replacement is pushed in front cheaply.
        var out: [UInt8] = [], outColumns: [Int32] = []
        out.reserveCapacity(t.bytes.count)
        outColumns.reserveCapacity(t.bytes.count)
        var input = Array(t.bytes.reversed()), inputColumns = Array(t.columns.reversed())
        var inQuote = false
        var changed = false
        func emit(_ count: Int) {
            let lower = input.count - count
            for k in stride(from: input.count - 1, through: lower, by: -1) {
                if input[k] == Self.quote { inQuote.toggle() }
                out.append(input[k])
                outColumns.append(inputColumns[k])
            }
            input.removeLast(count)
            inputColumns.removeLast(count)
        }
        while !input.isEmpty {
            guard let d = input.lastIndex(of: Self.dollar) else {
                emit(input.count)
                break
            }
            if d < input.count - 1 { emit(input.count - 1 - d) }
            // The reference parser reads forward: it reads the head of the input in reading order through a view of
            // the reversed storage (no copy; a name and its parameters are read within `maxReferenceBytes`), and
            // whether the rest of the line is blank through an unbounded one.
            let (found, endsLine) = input.withUnsafeBufferPointer { storage in
                let ref = Self.reference(in: ReadingOrder(storage, limit: Self.maxReferenceBytes), at: 0, inQuote: inQuote)
                return (ref, ref.map { Self.atLineEnd(ReadingOrder(storage, limit: storage.count), from: $0.end) } ?? false)
            }
            guard let ref = found else {
                emit(1)
                continue
            }
            let column = inputColumns[input.count - 1]
            let loc = location(origin, column)
            if let first = exhaustedMacros[ref.name] {
                sink.error(.invalidValue, loc, "'$\(ref.name)' is not expanded: its expansion exceeded the limits at \(first)")
                return .failed
            }
            var value: [UInt8]
            var rest: [[UInt8]] = []
            if ref.params == nil, let v = macros[ref.name] {
                value = Array(v.utf8)
                if multilineMacros.contains(ref.name) {
                    guard endsLine else {
                        sink.warning(.undefinedMacro, loc,
                                     "multi-line '$\(ref.name)' is only expanded at the end of a line; left as written")
                        emit(ref.end)
                        continue
                    }
                    let lines = value.split(separator: Self.newline, omittingEmptySubsequences: false)
                    value = Array(lines.first ?? [])
                    rest = lines.dropFirst().map(Array.init)
                }
            } else {
                switch builtin(ref, origin: origin, at: loc) {
                case .value(let v):
                    value = v
                case .leave:
                    emit(ref.end)
                    continue
                case .notBuiltin:
                    if !inQuote && ref.params == nil {
                        sink.warning(.undefinedMacro, loc, "'$\(ref.name)' is not defined; left as written")
                    }
                    emit(ref.end)
                    continue
                }
            }
            budget -= 1
            if budget < 0 {
                sink.error(.invalidValue, loc, "more than \(Self.maxSubstitutionsPerLine) substitutions in one line")
                exhaustedMacros[ref.name] = loc
                return .failed
            }
            if out.count + input.count - ref.end + value.count > Self.maxExpansionBytes {
                sink.error(.invalidValue, loc, "expansion of '$\(ref.name)' exceeds \(Self.maxExpansionBytes) bytes")
                exhaustedMacros[ref.name] = loc
                return .failed
            }
            if !rest.isEmpty {
                guard depth + 1 <= Self.maxExpansionDepth else {
                    sink.error(.invalidValue, loc, "definitions and ~SEQ nested deeper than \(Self.maxExpansionDepth) levels")
                    abortExpansions()
                    return .failed
                }
                pendingFrames.append(.lines(LinesFrame(lines: rest, column: column, origin: origin, depth: depth + 1)))
            }
            input.removeLast(ref.end)
            inputColumns.removeLast(ref.end)
            input.append(contentsOf: value.reversed())
            inputColumns.append(contentsOf: repeatElement(column, count: value.count))
            changed = true
            // keepalived stops substituting after a value that starts a `~SEQ` / `~LST`.
            if let f = value.first(where: { !Self.isBlank($0) }), f == Self.tilde {
                emit(input.count)
                break
            }
        }
        guard changed else { return .unchanged }
        t = LineText(bytes: out, columns: outColumns)
        return .changed
    }

    // MARK: Built-in definitions

    /// What a `${_NAME}` reference stands for.
    enum BuiltinResult {
        /// The replacement text.
        case value([UInt8])
        /// A built-in used wrongly: left as written (an error was reported when keepalived reports one).
        case leave
        /// No built-in has that name.
        case notBuiltin
    }

    /// `${_PWD}`, `${_INSTANCE}`, `${_RANDOM [MIN [MAX]]}`, `${_ENV NAME}` (keepalived 2.4), `${_HASH}`, `${_BANG}`.
    /// A user definition of the same name takes precedence (keepalived lets one override them).
    private mutating func builtin(_ ref: Reference, origin: Origin, at loc: SourceLocation) -> BuiltinResult {
        let params = ref.params ?? []
        switch ref.name {
        case "_PWD", "_INSTANCE", "_HASH", "_BANG":
            guard params.isEmpty else { return .leave }
            switch ref.name {
            case "_PWD": return .value(Array(directory(of: origin.path).utf8))
            case "_INSTANCE": return .value(Array(configID.utf8))
            case "_HASH": return .value([Self.hash])
            default: return .value([Self.bang])
            }
        case "_RANDOM":
            guard params.count <= 2 else {
                sink.error(.invalidValue, loc, "${_RANDOM} takes at most 2 parameters, \(params.count) given")
                return .leave
            }
            guard params.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
                sink.error(.invalidValue, loc, "${_RANDOM} takes numbers only")
                return .leave
            }
            // strtoul saturates.
            let numbers = params.map { UInt64($0) ?? UInt64.max }
            let low = numbers.first ?? 0
            var high = numbers.count > 1 ? numbers[1] : 32767
            if low > high {
                sink.error(.invalidValue, loc, "${_RANDOM}: min \(low) exceeds max \(high), using \(low)")
                high = low
            }
            let r = nextRandom()
            let span = high &- low &+ 1
            return .value(Array(String(span == 0 ? r : low + r % span).utf8))
        case "_ENV":
            guard params.count == 1 else {
                sink.error(.invalidValue, loc, "${_ENV} takes 1 parameter, \(params.count) given")
                return .leave
            }
            return .value(Array((environment(params[0]) ?? "").utf8))
        default:
            return .notBuiltin
        }
    }

    /// The directory of a configuration file, as `${_PWD}` shows it (absolute).
    private func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return workingDirectory }
        let dir = slash == path.startIndex ? "/" : String(path[..<slash])
        if dir.hasPrefix("/") { return dir }
        return workingDirectory == "/" ? "/" + dir : workingDirectory + "/" + dir
    }

    /// SplitMix64.
    private mutating func nextRandom() -> UInt64 {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: ~SEQ and ~LST

    /// `~SEQ(var, start, step, end) text`, `~SEQx(…)` and `~LST(var, v1, v2 …)` / `~LST({a, b}, {1, 2} …)`: queues
    /// the text once per value; a malformed one is an error at its `~`.
    private mutating func startSequence(_ t: LineText, origin: Origin, depth: Int) {
        let loc = location(origin, t.columns.first ?? 1)
        guard depth + 1 <= Self.maxExpansionDepth else {
            sink.error(.invalidValue, loc, "definitions and ~SEQ nested deeper than \(Self.maxExpansionDepth) levels")
            abortExpansions()
            return
        }
        let parsed = t.bytes[1] == UInt8(ascii: "S") ? parseSequence(t, origin: origin, at: loc)
            : parseList(t, at: loc)
        guard let (variables, values, textStart) = parsed else { return }
        let text = LineText(bytes: Array(t.bytes[textStart...]), columns: Array(t.columns[textStart...]))
        pendingFrames.append(.sequence(SequenceFrame(variables: variables, values: values, text: text,
                                                     origin: origin, depth: depth + 1)))
    }

    /// The index after `k` and any blanks.
    private static func skipBlanks(_ b: [UInt8], _ k: Int) -> Int {
        var k = k
        while k < b.count && isBlank(b[k]) { k += 1 }
        return k
    }

    /// strtol(…, 0): optional blanks and sign, `0x` hex, leading-`0` octal or decimal; no digits read as 0;
    /// saturates like strtol.
    static func parseCInteger(_ b: [UInt8], _ k: inout Int) -> Int {
        var j = skipBlanks(b, k)
        var negative = false
        if j < b.count && (b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+")) {
            negative = b[j] == UInt8(ascii: "-")
            j += 1
        }
        var base = 10
        if j + 1 < b.count && b[j] == UInt8(ascii: "0") && (b[j + 1] | 0x20) == UInt8(ascii: "x")
            && j + 2 < b.count && hexValue(b[j + 2]) != nil {
            base = 16
            j += 2
        } else if j < b.count && b[j] == UInt8(ascii: "0") {
            base = 8
        }
        var value = 0
        var saturated = false
        let digitsStart = j
        while j < b.count, let d = hexValue(b[j]), d < base {
            if !saturated {
                let (m, o1) = value.multipliedReportingOverflow(by: base)
                let (s, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { saturated = true } else { value = s }
            }
            j += 1
        }
        if j == digitsStart { return 0 }   // k unchanged, like strtol without digits
        k = j
        if saturated { return negative ? Int.min : Int.max }
        return negative ? -value : value
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// `~SEQ(var, [start,] [step,] end)`: one number is the end (start 1 or -1), two are start and end, three are
    /// start, step and end. The numbers may be definitions. A zero step, a step of the wrong sign, a negative
    /// `~SEQx` value or more than `maxSequenceSteps` values is an error.
    private mutating func parseSequence(_ t: LineText, origin: Origin, at loc: SourceLocation)
        -> ([String], SequenceValues, Int)? {
        let b = t.bytes
        var k = 4
        let hex = k < b.count && b[k] == UInt8(ascii: "x")
        if hex { k += 1 }
        k = Self.skipBlanks(b, k)
        func invalid(_ why: String) -> ([String], SequenceValues, Int)? {
            sink.error(.invalidValue, loc, "invalid ~SEQ: \(why)")
            return nil
        }
        guard k < b.count, b[k] == Self.openParen else { return invalid("expected '(' after ~SEQ") }
        k = Self.skipBlanks(b, k + 1)
        let varStart = k
        while k < b.count && !Self.isBlank(b[k]) && b[k] != Self.comma && b[k] != Self.closeParen { k += 1 }
        let variable = b[varStart..<k]
        k = Self.skipBlanks(b, k)
        guard !variable.isEmpty, variable.first.map(Self.isNameStart) == true, variable.allSatisfy(Self.isNameByte)
        else { return invalid("expected a variable name") }
        guard k < b.count, b[k] == Self.comma else { return invalid("expected ',' after the variable") }
        guard let close = b[k...].firstIndex(of: Self.closeParen) else { return invalid("missing ')'") }
        // The numbers may be definitions (`~SEQ(I, 1, $N)`).
        var params = LineText(bytes: Array(b[(k + 1)...close]), columns: Array(t.columns[(k + 1)...close]))
        if params.bytes.contains(Self.dollar) {
            var budget = Self.maxSubstitutionsPerLine
            let pending = pendingFrames.count
            if substitute(&params, origin: origin, depth: Self.maxExpansionDepth, budget: &budget) == .failed
                || pendingFrames.count != pending {
                pendingFrames.removeSubrange(pending...)
                return invalid("a parameter is a multi-line definition or does not expand")
            }
        }
        let p = params.bytes
        var numbers: [Int] = []
        var q = 0
        while true {
            numbers.append(Self.parseCInteger(p, &q))
            q = Self.skipBlanks(p, q)
            guard q < p.count else { return invalid("missing ')'") }
            if p[q] == Self.closeParen { break }
            guard p[q] == Self.comma, numbers.count < 3 else { return invalid("expected 1 to 3 numbers") }
            q += 1
        }
        let start: Int, step: Int, end: Int
        switch numbers.count {
        case 1:
            end = numbers[0]
            step = end < 1 ? -1 : 1
            start = end < 0 ? -1 : 1
        case 2:
            start = numbers[0]
            end = numbers[1]
            step = start <= end ? 1 : -1
        default:
            start = numbers[0]
            step = numbers[1]
            end = numbers[2]
            if step == 0 || (start < end && step < 0) || (start > end && step > 0) {
                return invalid("step \(step) never goes from \(start) to \(end)")
            }
        }
        if hex && (start < 0 || end < 0) { return invalid("~SEQx takes positive numbers only") }
        // The number of values, without overflowing on extreme bounds.
        let distance = end >= start ? UInt(bitPattern: end &- start) : UInt(bitPattern: start &- end)
        let stride = step.magnitude
        if distance / stride >= UInt(Self.maxSequenceSteps) {
            return invalid("more than \(Self.maxSequenceSteps) values")
        }
        let textStart = Self.skipBlanks(b, close + 1)
        return ([String(decoding: variable, as: UTF8.self)], .range(next: start, step: step, last: end, hex: hex),
                textStart)
    }

    /// `~LST(var, v1, v2 …)` or `~LST({a, b}, {1, 2}, {3, 4} …)`: missing values are empty; more values than
    /// variables is an error.
    private mutating func parseList(_ t: LineText, at loc: SourceLocation) -> ([String], SequenceValues, Int)? {
        let b = t.bytes
        func invalid(_ why: String) -> ([String], SequenceValues, Int)? {
            sink.error(.invalidValue, loc, "invalid ~LST: \(why)")
            return nil
        }
        var k = Self.skipBlanks(b, 4)
        guard k < b.count, b[k] == Self.openParen else { return invalid("expected '(' after ~LST") }
        k = Self.skipBlanks(b, k + 1)
        /// A `{…}` group or a single word, ending at `,` / `)` / `}`.
        func group(_ k: inout Int) -> [String]? {
            var items: [String] = []
            let braced = k < b.count && b[k] == Self.openBrace
            if braced { k = Self.skipBlanks(b, k + 1) }
            while true {
                let s = k
                while k < b.count && !Self.isBlank(b[k]) && b[k] != Self.comma && b[k] != Self.closeBrace
                        && b[k] != Self.closeParen { k += 1 }
                items.append(String(decoding: b[s..<k], as: UTF8.self))
                k = Self.skipBlanks(b, k)
                guard k < b.count else { return nil }
                if !braced { return items }
                if b[k] == Self.closeBrace { k = Self.skipBlanks(b, k + 1); return items }
                guard b[k] == Self.comma else { return nil }
                k = Self.skipBlanks(b, k + 1)
            }
        }
        guard let variables = group(&k), variables.allSatisfy({ v in
            v.utf8.first.map(Self.isNameStart) == true && v.utf8.allSatisfy(Self.isNameByte) }) else {
            return invalid("expected a variable name or {names}")
        }
        guard k < b.count, b[k] == Self.comma else { return invalid("expected ',' after the variables") }
        k = Self.skipBlanks(b, k + 1)
        var sets: [[String]] = []
        while true {
            guard let values = group(&k) else { return invalid("malformed values") }
            guard values.count <= variables.count else { return invalid("more values than variables") }
            sets.append(values)
            guard k < b.count else { return invalid("missing ')'") }
            if b[k] == Self.closeParen { break }
            guard b[k] == Self.comma else { return invalid("expected ',' or ')'") }
            k = Self.skipBlanks(b, k + 1)
        }
        return (variables, .list(sets: sets, next: 0), Self.skipBlanks(b, k + 1))
    }

    // MARK: Include patterns

    /// csh-style `{a,b}` alternatives of a pattern (nested, in order), at most `maxBraceAlternatives`; nil when
    /// there would be more. A `{` without a matching `}` or a `,` inside is left as written.
    static func braceAlternatives(_ pattern: String) -> [String]? {
        var results: [[UInt8]] = []
        var work: [[UInt8]] = [Array(pattern.utf8)]
        while let p = work.popLast() {
            // The leftmost `{` whose matching `}` has a `,` at its own level (the outermost such group), found in
            // one pass so a pattern full of braces stays linear.
            var found: (open: Int, close: Int, commas: [Int])?
            var open: [(index: Int, commas: [Int])] = []
            for k in p.indices {
                if p[k] == openBrace {
                    open.append((k, []))
                } else if p[k] == comma, !open.isEmpty {
                    open[open.count - 1].commas.append(k)
                } else if p[k] == closeBrace, let group = open.popLast(), !group.commas.isEmpty {
                    if found.map({ group.index < $0.open }) ?? true { found = (group.index, k, group.commas) }
                }
            }
            guard let (open, close, commas) = found else {
                results.append(p)
                if results.count > maxBraceAlternatives { return nil }
                continue
            }
            let bounds = [open] + commas + [close]
            var expanded: [[UInt8]] = []
            for i in 0..<(bounds.count - 1) {
                expanded.append(Array(p[..<open]) + Array(p[(bounds[i] + 1)..<bounds[i + 1]]) + Array(p[(close + 1)...]))
            }
            // Work is a stack: push in reverse so the alternatives come out in order.
            work.append(contentsOf: expanded.reversed())
            if work.count + results.count > maxBraceAlternatives * 4 { return nil }
        }
        return results.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The files an include pattern names, relative to the including file. With no checks (`include`), a glob
    /// that matches nothing is a warning and a missing literal file an error when it is opened; the variants make
    /// their checks errors (keepalived's include_check).
    mutating func expand(_ pattern: String, at loc: SourceLocation, currentFile: String, checks: IncludeChecks)
        -> [String] {
        let resolved: String
        if pattern.hasPrefix("/") {
            resolved = pattern
        } else if let slash = currentFile.lastIndex(of: "/") {
            resolved = String(currentFile[...slash]) + pattern
        } else {
            resolved = pattern
        }
        guard let alternatives = Self.braceAlternatives(resolved) else {
            sink.error(.include, loc, "include pattern '\(pattern)' has more than \(Self.maxBraceAlternatives) {a,b} alternatives")
            return []
        }
        let braced = alternatives.count > 1
        var out: [String] = []
        for alternative in alternatives {
            let isGlob = alternative.contains { $0 == "*" || $0 == "?" || $0 == "[" }
            if !isGlob {
                if braced && !fileSystem.exists(alternative) {
                    let msg = "include alternative '\(alternative)' of '\(pattern)' names no file"
                    if checks.contains(.braceMatch) { sink.error(.include, loc, msg) } else { sink.warning(.include, loc, msg) }
                    continue
                }
                out.append(alternative)
                continue
            }
            let matches = fileSystem.glob(alternative)
            if matches.isEmpty {
                let msg = "include pattern '\(braced ? alternative : pattern)' matches no file"
                if checks.contains(.wildcardMatch) || (braced && checks.contains(.braceMatch)) {
                    sink.error(.include, loc, msg)
                } else {
                    sink.warning(.include, loc, msg)
                }
            }
            out.append(contentsOf: matches)
        }
        return out
    }
}

/// The input still to scan, which `substitute` keeps reversed, seen in reading order (index 0 is the next byte) up to
/// `limit` bytes, without copying it.
private struct ReadingOrder: RandomAccessCollection {
    let storage: UnsafeBufferPointer<UInt8>
    let endIndex: Int
    var startIndex: Int { 0 }

    init(_ storage: UnsafeBufferPointer<UInt8>, limit: Int) {
        self.storage = storage
        self.endIndex = Swift.min(storage.count, limit)
    }

    subscript(position: Int) -> UInt8 { storage[storage.count - 1 - position] }
}
