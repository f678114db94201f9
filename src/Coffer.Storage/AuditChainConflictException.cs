namespace Coffer.Storage;

/// <summary>
/// An append was refused because its first event does not follow the trail's stored head: another
/// node appended since this writer last read the head. Nothing of the batch was written; the
/// writer may read the head again, chain the same events on from it and retry.
/// </summary>
public sealed class AuditChainConflictException(string message, Exception? inner = null) : Exception(message, inner);
