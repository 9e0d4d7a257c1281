/// Negative numbers on a command line. An argument parser reads `-5` as an option it does
/// not know, and then reports a missing value or an unknown flag; no option or argument of
/// the project's tools takes a negative number, so they refuse one in those words instead.
public enum NegativeNumbers {
    /// The first argument before a `--` that is a negative number (`-5`, `-0.5`, `-1e3`).
    public static func first(in arguments: some Sequence<String>) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if argument.count > 1, argument.hasPrefix("-"), Double(argument) != nil { return argument }
        }
        return nil
    }
}
