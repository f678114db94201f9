namespace Coffer.Cli;

/// <summary>The exit codes scripts rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
