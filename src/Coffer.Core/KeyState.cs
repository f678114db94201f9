namespace Coffer.Core;

/// <summary>
/// The lifecycle state of a KMS key. The numbers are persisted: never renumber, only add.
/// </summary>
public enum KeyState
{
    Enabled = 1,
    Disabled = 2,
    PendingDeletion = 3,
}

/// <summary>Maps <see cref="KeyState"/> to the names AWS puts on the wire.</summary>
public static class KeyStateNames
{
    public static string ToWire(this KeyState state) => state switch
    {
        KeyState.Enabled => "Enabled",
        KeyState.Disabled => "Disabled",
        KeyState.PendingDeletion => "PendingDeletion",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
