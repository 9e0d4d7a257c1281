/// The software's version, which every tool prints for `--version`.
public enum BriefingsVersion {
    /// The release, as semantic versioning.
    public static let release = "0.17.0"

    /// `0.17.0 (sync protocol v1)`.
    public static var description: String { "\(release) (sync protocol v\(SyncProtocol.version))" }
}
