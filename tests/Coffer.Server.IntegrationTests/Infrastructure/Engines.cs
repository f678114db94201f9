namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// A storage engine as a type, so that one test class, generic in its engine, has a concrete twin
/// per engine: <c>XTests : XTests&lt;OnSqlite&gt;</c> and <c>XTestsOnPostgres : XTests&lt;OnPostgres&gt;</c>.
/// The PostgreSQL twin fails without <c>COFFER_TEST_POSTGRES</c>; it is never skipped.
/// </summary>
public interface IEngine
{
    /// <summary>The engine's name as <c>--storage</c> takes it.</summary>
    static abstract string Name { get; }
}

public sealed class OnSqlite : IEngine
{
    public static string Name => StorageOptions.Sqlite;
}

public sealed class OnPostgres : IEngine
{
    public static string Name => StorageOptions.Postgres;
}
