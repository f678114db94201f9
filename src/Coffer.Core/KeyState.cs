namespace Coffer.Core;

/// <summary>
/// The lifecycle state of a KMS key. The numbers are persisted: never renumber, only add.
/// </summary>
public enum KeyState
{
    Enabled = 1,
    Disabled = 2,
    PendingDeletion = 3,

    /// <summary>A key with Origin EXTERNAL whose material has not been imported, or was deleted or expired.</summary>
    PendingImport = 4,
}

/// <summary>Maps <see cref="KeyState"/> to the names AWS puts on the wire.</summary>
public static class KeyStateNames
{
    public static string ToWire(this KeyState state) => state switch
    {
        KeyState.Enabled => "Enabled",
        KeyState.Disabled => "Disabled",
        KeyState.PendingDeletion => "PendingDeletion",
        KeyState.PendingImport => "PendingImport",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
