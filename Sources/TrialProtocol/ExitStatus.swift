/// The exit statuses of `tune`, shared by the trainer that exits with them and the coordinator
/// that reads a trial's; documented in `tune train --help`.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Something unexpected (a bug, the machine): the message is still one line.
    public static let failure: Int32 = 1
    /// Bad input: arguments, run or search files, data files, checkpoints.
    public static let badInput: Int32 = 2
    /// Training diverged (NaN or infinite loss).
    public static let diverged: Int32 = 3
    /// Stopped by Ctrl-C after checkpointing; `tune train --resume` (or the search) continues.
    public static let interrupted: Int32 = 4
    /// A second Ctrl-C: stopped at once, as shells report a SIGINT (128 + 2).
    public static let stoppedAtOnce: Int32 = 130
}
