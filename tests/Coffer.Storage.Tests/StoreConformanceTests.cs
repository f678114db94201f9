using Coffer.Core;
using Coffer.Storage.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>
/// What every <see cref="ICofferStore"/> engine must do. Each engine gets a subclass that says how
/// to open a fresh store and reopen it; the PostgreSQL engine will join here.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    protected ICofferStore Store { get; private set; } = null!;

    protected abstract Task<ICofferStore> OpenAsync();

    public async Task InitializeAsync()
    {
        Store = await OpenAsync();
        await Store.InitializeAsync();
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    private static KmsKey NewKey(string region = "us-east-1", string account = "111122223333") => new()
    {
        KeyId = Guid.NewGuid().ToString(),
        AccountId = account,
        Region = region,
        CreationDate = Now,
        Description = "d",
        State = KeyState.Enabled,
    };

    private static StoredMaterial Material(KmsKey key) => new(key.KeyId, 1, [1, 2, 3], Now);

    [Fact]
    public async Task A_key_round_trips_with_every_field()
    {
        var key = NewKey() with
        {
            State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(7), PendingWindowInDays = 7, CurrentMaterialVersion = 4,
            RotationPeriodInDays = 90, NextRotationDate = Now.AddDays(90), OnDemandRotations = 3,
            Origin = KeyOrigins.External, ExpirationModel = ExpirationModels.Expires, ValidTo = Now.AddDays(30), ImportedMaterialId = new string('a', 64),
        };
        await Store.InsertKeyAsync(key, "{}", [new KmsTag("a", "b")], Material(key));

        Assert.Equal(key, await Store.FindKeyAsync("us-east-1", key.KeyId));
        Assert.Equal([key], await Store.ListAllKeysAsync());
        Assert.Null(await Store.FindKeyAsync("eu-west-1", key.KeyId));
        Assert.Equal([new KmsTag("a", "b")], await Store.GetTagsAsync(key.KeyId));
        Assert.Equal([1, 2, 3], (await Store.FindMaterialAsync(key.KeyId, 1))!.Sealed);
        Assert.Null(await Store.FindMaterialAsync(key.KeyId, 2));
    }

    [Fact]
    public async Task Updates_change_state_and_description()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));

        await Store.UpdateKeyAsync(key with { State = KeyState.Disabled, Description = "new" });

        var found = await Store.FindKeyAsync(key.Region, key.KeyId);
        Assert.Equal(KeyState.Disabled, found!.State);
        Assert.Equal("new", found.Description);
    }

    [Fact]
    public async Task Keys_are_listed_per_account_and_region_in_id_order_from_a_marker()
    {
        var region = $"test-{Guid.NewGuid():N}";
        var keys = Enumerable.Range(0, 5).Select(_ => NewKey(region)).ToList();
        foreach (var key in keys)
        {
            await Store.InsertKeyAsync(key, "{}", [], Material(key));
        }

        var other = NewKey(region, "999999999999");
        await Store.InsertKeyAsync(other, "{}", [], Material(other));
        var ordered = keys.Select(k => k.KeyId).Order(StringComparer.Ordinal).ToList();

        var first = await Store.ListKeysAsync("111122223333", region, null, 3);
        var rest = await Store.ListKeysAsync("111122223333", region, first[^1].KeyId, 3);

        Assert.Equal(ordered[..3], first.Select(k => k.KeyId));
        Assert.Equal(ordered[3..], rest.Select(k => k.KeyId));
    }

    [Fact]
    public async Task Deleting_a_key_removes_its_material_tags_and_aliases()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [new KmsTag("t", "v")], Material(key));
        await Store.TryInsertAliasAsync(new KmsAlias { AccountId = key.AccountId, Region = key.Region, Name = $"alias/{key.KeyId}", TargetKeyId = key.KeyId, CreationDate = Now, LastUpdatedDate = Now });

        await Store.DeleteKeyAsync(key.KeyId);

        Assert.Null(await Store.FindKeyAsync(key.Region, key.KeyId));
        Assert.Null(await Store.FindMaterialAsync(key.KeyId, 1));
        Assert.Empty(await Store.GetTagsAsync(key.KeyId));
        Assert.Null(await Store.FindAliasAsync(key.AccountId, key.Region, $"alias/{key.KeyId}"));
    }

    [Fact]
    public async Task Alias_names_are_unique_per_account_and_region()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var alias = new KmsAlias { AccountId = key.AccountId, Region = key.Region, Name = "alias/unique", TargetKeyId = key.KeyId, CreationDate = Now, LastUpdatedDate = Now };

        Assert.True(await Store.TryInsertAliasAsync(alias));
        Assert.False(await Store.TryInsertAliasAsync(alias));
        Assert.True(await Store.DeleteAliasAsync(key.AccountId, key.Region, "alias/unique"));
        Assert.False(await Store.DeleteAliasAsync(key.AccountId, key.Region, "alias/unique"));
    }

    [Fact]
    public async Task Only_keys_past_their_deletion_date_are_due()
    {
        var due = NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(-1) };
        var later = NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(1) };
        await Store.InsertKeyAsync(due, "{}", [], Material(due));
        await Store.InsertKeyAsync(later, "{}", [], Material(later));

        var found = (await Store.ListKeysDueForDeletionAsync(Now, 10)).Select(k => k.KeyId).ToList();

        Assert.Contains(due.KeyId, found);
        Assert.DoesNotContain(later.KeyId, found);
    }

    [Fact]
    public async Task A_material_version_is_added_once_and_an_update_from_an_older_copy_does_not_take_it_back()
    {
        var key = NewKey() with { RotationPeriodInDays = 90, NextRotationDate = Now };
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var rotated = key with { CurrentMaterialVersion = 2, NextRotationDate = Now.AddDays(90) };

        Assert.True(await Store.TryAddMaterialVersionAsync(rotated, new StoredMaterial(key.KeyId, 2, [4, 5], Now.AddDays(1), RotationTypes.Automatic)));
        Assert.False(await Store.TryAddMaterialVersionAsync(rotated with { OnDemandRotations = 1 }, new StoredMaterial(key.KeyId, 2, [6], Now.AddDays(1), RotationTypes.OnDemand)));
        await Store.UpdateKeyAsync(key with { Description = "stale copy" });

        var found = await Store.FindKeyAsync(key.Region, key.KeyId);
        Assert.Equal(2, found!.CurrentMaterialVersion);
        Assert.Equal(0, found.OnDemandRotations);
        Assert.Equal("stale copy", found.Description);
        Assert.Equal([4, 5], (await Store.FindMaterialAsync(key.KeyId, 2))!.Sealed);
        Assert.Equal(
            [new MaterialVersion(1, Now, null), new MaterialVersion(2, Now.AddDays(1), RotationTypes.Automatic)],
            await Store.ListMaterialVersionsAsync(key.KeyId, 0, 10));
        Assert.Equal([new MaterialVersion(2, Now.AddDays(1), RotationTypes.Automatic)], await Store.ListMaterialVersionsAsync(key.KeyId, 1, 10));
    }

    [Fact]
    public async Task Only_enabled_keys_whose_rotation_date_has_come_are_due()
    {
        var due = NewKey() with { RotationPeriodInDays = 90, NextRotationDate = Now };
        var later = NewKey() with { RotationPeriodInDays = 90, NextRotationDate = Now.AddDays(1) };
        var disabled = NewKey() with { State = KeyState.Disabled, RotationPeriodInDays = 90, NextRotationDate = Now.AddDays(-1) };
        var off = NewKey();
        foreach (var key in new[] { due, later, disabled, off })
        {
            await Store.InsertKeyAsync(key, "{}", [], Material(key));
        }

        Assert.Equal([due.KeyId], (await Store.ListKeysDueForRotationAsync(Now, 10)).Select(k => k.KeyId));
        Assert.Equal(2, (await Store.ListKeysDueForRotationAsync(Now.AddDays(2), 10)).Count);
        Assert.Single(await Store.ListKeysDueForRotationAsync(Now.AddDays(2), 1));
    }

    [Fact]
    public async Task Imported_material_is_stored_with_the_key_state_and_deleted_with_it()
    {
        var waiting = NewKey() with { Origin = KeyOrigins.External, State = KeyState.PendingImport };
        await Store.InsertKeyAsync(waiting, "{}", [], null);
        Assert.Null(await Store.FindMaterialAsync(waiting.KeyId, 1));

        var imported = waiting with { State = KeyState.Enabled, ExpirationModel = ExpirationModels.Expires, ValidTo = Now.AddDays(1), ImportedMaterialId = "id" };
        var info = new ImportedMaterialInfo("id", ExpirationModels.Expires, Now.AddDays(1), "first");
        Assert.True(await Store.PutImportedMaterialAsync(new StoredMaterial(waiting.KeyId, 1, [7, 7], Now), info));
        Assert.True(await Store.PutImportedMaterialAsync(new StoredMaterial(waiting.KeyId, 2, [8], Now), info with { MaterialId = "next", ValidTo = null }));
        Assert.False(await Store.PutImportedMaterialAsync(new StoredMaterial(waiting.KeyId, 1, [9], Now), info with { MaterialId = "other" }));
        Assert.Equal(imported, await Store.FindKeyAsync(waiting.Region, waiting.KeyId));
        Assert.Equal([7, 7], (await Store.FindMaterialAsync(waiting.KeyId, 1))!.Sealed);
        Assert.Equal([info, info with { MaterialId = "next", ValidTo = null }], (await Store.ListMaterialVersionsAsync(waiting.KeyId, 0, 10)).Select(v => v.Imported));
        Assert.Empty(await Store.ListKeysWithExpiredMaterialAsync(Now, 10));
        Assert.Single(await Store.ListKeysWithExpiredMaterialAsync(Now.AddDays(1), 10));

        var emptied = imported with { State = KeyState.PendingImport, ExpirationModel = null, ValidTo = null };
        await Store.DeleteImportedMaterialAsync(waiting.KeyId, 1);
        Assert.Equal(emptied, await Store.FindKeyAsync(waiting.Region, waiting.KeyId));
        Assert.Null(await Store.FindMaterialAsync(waiting.KeyId, 1));
        Assert.Equal([false, true], (await Store.ListMaterialVersionsAsync(waiting.KeyId, 0, 10)).Select(v => v.Present));
        Assert.Equal("id", (await Store.ListMaterialVersionsAsync(waiting.KeyId, 0, 1))[0].Imported!.MaterialId);
        Assert.Empty(await Store.ListKeysWithExpiredMaterialAsync(Now.AddDays(2), 10));

        var rotated = emptied with { State = KeyState.Enabled, CurrentMaterialVersion = 2, OnDemandRotations = 1, ImportedMaterialId = "next" };
        Assert.False(await Store.TryMakeMaterialCurrentAsync(rotated, 1, Now.AddDays(3)));
        Assert.True(await Store.PutImportedMaterialAsync(new StoredMaterial(waiting.KeyId, 1, [7, 7], Now), info));
        Assert.Equal(KeyState.Enabled, (await Store.FindKeyAsync(waiting.Region, waiting.KeyId))!.State);
        Assert.True(await Store.TryMakeMaterialCurrentAsync(rotated, 1, Now.AddDays(3)));
        Assert.False(await Store.TryMakeMaterialCurrentAsync(rotated, 1, Now.AddDays(3)));
        var current = await Store.FindKeyAsync(waiting.Region, waiting.KeyId);
        Assert.Equal((2, 1, "next"), (current!.CurrentMaterialVersion, current.OnDemandRotations, current.ImportedMaterialId));
        var second = (await Store.ListMaterialVersionsAsync(waiting.KeyId, 1, 1))[0];
        Assert.Equal((RotationTypes.OnDemand, Now.AddDays(3)), (second.RotationType, second.RotatedAt));
    }

    [Fact]
    public async Task Material_changes_keep_the_state_the_key_has_now()
    {
        var key = NewKey() with { Origin = KeyOrigins.External, State = KeyState.PendingImport };
        await Store.InsertKeyAsync(key, "{}", [], null);
        var info = new ImportedMaterialInfo("id", ExpirationModels.DoesNotExpire, null, null);
        await Store.PutImportedMaterialAsync(new StoredMaterial(key.KeyId, 1, [1], Now), info);
        await Store.UpdateKeyAsync(key with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(7), PendingWindowInDays = 7 });

        await Store.DeleteImportedMaterialAsync(key.KeyId, 1);
        Assert.Equal(KeyState.PendingDeletion, (await Store.FindKeyAsync(key.Region, key.KeyId))!.State);
        await Store.PutImportedMaterialAsync(new StoredMaterial(key.KeyId, 1, [1], Now), info);
        Assert.Equal(KeyState.PendingDeletion, (await Store.FindKeyAsync(key.Region, key.KeyId))!.State);

        var rotating = NewKey() with { RotationPeriodInDays = 90, NextRotationDate = Now };
        await Store.InsertKeyAsync(rotating, "{}", [], Material(rotating));
        await Store.UpdateKeyAsync(rotating with { State = KeyState.Disabled });
        Assert.False(await Store.TryAddMaterialVersionAsync(rotating with { CurrentMaterialVersion = 2, NextRotationDate = Now.AddDays(90) },
            new StoredMaterial(rotating.KeyId, 2, [2], Now, RotationTypes.Automatic)));
        Assert.Null(await Store.FindMaterialAsync(rotating.KeyId, 2));
        await Store.UpdateRotationScheduleAsync(rotating.KeyId, null, null);
        await Store.UpdateKeyAsync(rotating with { Description = "from an old copy" });
        var found = await Store.FindKeyAsync(rotating.Region, rotating.KeyId);
        Assert.Equal((null, null, "from an old copy"), (found!.RotationPeriodInDays, found.NextRotationDate, found.Description));
    }

    [Fact]
    public async Task Import_parameters_are_replaced_per_key_and_can_all_be_dropped()
    {
        var key = NewKey() with { Origin = KeyOrigins.External, State = KeyState.PendingImport };
        await Store.InsertKeyAsync(key, "{}", [], null);
        var first = new ImportParameters(key.KeyId, [1], "RSAES_OAEP_SHA_256", "RSA_2048", [2], Now);
        var second = first with { TokenHash = [3], WrappingKeySpec = "RSA_4096" };

        await Store.PutImportParametersAsync(first);
        await Store.PutImportParametersAsync(second);
        var found = await Store.FindImportParametersAsync(key.KeyId);

        Assert.Equal([3], found!.TokenHash);
        Assert.Equal(("RSA_4096", Now), (found.WrappingKeySpec, found.ValidTo));
        await Store.DeleteAllImportParametersAsync();
        Assert.Null(await Store.FindImportParametersAsync(key.KeyId));
    }

    [Fact]
    public async Task A_setting_is_stored_once()
    {
        var name = $"setting-{Guid.NewGuid():N}";

        Assert.True(await Store.TryInsertSettingAsync(name, [1]));
        Assert.False(await Store.TryInsertSettingAsync(name, [2]));
        Assert.Equal([1], await Store.GetSettingAsync(name));
    }

    [Fact]
    public async Task Access_keys_are_upserted_with_status()
    {
        var record = new AccessKeyRecord($"AKIA{Guid.NewGuid():N}"[..20], "111122223333", "arn:aws:iam::111122223333:user/u", "u", AccessKeyStatus.Active, [9], Now);
        await Store.UpsertAccessKeyAsync(record);
        await Store.UpsertAccessKeyAsync(record with { Status = AccessKeyStatus.Inactive });

        Assert.Equal(record with { Status = AccessKeyStatus.Inactive }, (await Store.FindAccessKeyAsync(record.AccessKeyId))! with { SealedSecret = record.SealedSecret });
    }

    [Fact]
    public async Task A_later_last_use_replaces_the_stored_one_and_an_earlier_one_does_not()
    {
        var (first, second) = (NewKey(), NewKey());
        await Store.InsertKeyAsync(first, "{}", [], Material(first));
        await Store.InsertKeyAsync(second, "{}", [], Material(second));
        var used = new KeyLastUse(first.KeyId, "Encrypt", Now, "event-1", "request-1");
        var later = new KeyLastUse(first.KeyId, "Decrypt", Now.AddSeconds(5), "event-2", "request-2");
        var other = new KeyLastUse(second.KeyId, "Sign", Now, "event-3", "request-3");

        Assert.Null(await Store.FindKeyLastUseAsync(first.KeyId));
        await Store.SaveKeyLastUsesAsync([used, other]);
        Assert.Equal(used, await Store.FindKeyLastUseAsync(first.KeyId));
        Assert.Equal(other, await Store.FindKeyLastUseAsync(second.KeyId));

        await Store.SaveKeyLastUsesAsync([later]);
        await Store.SaveKeyLastUsesAsync([used]);
        Assert.Equal(later, await Store.FindKeyLastUseAsync(first.KeyId));
        await Store.SaveKeyLastUsesAsync([]);
        Assert.Equal(other, await Store.FindKeyLastUseAsync(second.KeyId));
    }

    [Fact]
    public async Task A_last_use_of_a_deleted_key_is_skipped_without_failing_the_batch_and_deleting_a_key_removes_its_last_use()
    {
        var (kept, deleted) = (NewKey(), NewKey());
        await Store.InsertKeyAsync(kept, "{}", [], Material(kept));
        await Store.InsertKeyAsync(deleted, "{}", [], Material(deleted));
        await Store.SaveKeyLastUsesAsync([new KeyLastUse(deleted.KeyId, "Encrypt", Now, "event-1", "request-1")]);

        await Store.DeleteKeyAsync(deleted.KeyId);
        Assert.Null(await Store.FindKeyLastUseAsync(deleted.KeyId));

        var use = new KeyLastUse(kept.KeyId, "Verify", Now, "event-2", "request-2");
        await Store.SaveKeyLastUsesAsync([new KeyLastUse(deleted.KeyId, "Decrypt", Now, "event-3", "request-3"), use]);
        Assert.Equal(use, await Store.FindKeyLastUseAsync(kept.KeyId));
        Assert.Null(await Store.FindKeyLastUseAsync(deleted.KeyId));
    }
}

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coffer-store-").FullName;

    protected override Task<ICofferStore> OpenAsync() => Task.FromResult<ICofferStore>(SqliteStore.InDirectory(_dir));

    [Fact]
    public async Task The_store_survives_reopening_and_migrating_again()
    {
        var key = new KmsKey { KeyId = Guid.NewGuid().ToString(), AccountId = "111122223333", Region = "us-east-1", CreationDate = DateTimeOffset.FromUnixTimeSeconds(1), State = KeyState.Enabled };
        await Store.InsertKeyAsync(key, "{}", [], new StoredMaterial(key.KeyId, 1, [7], key.CreationDate));
        await Store.DisposeAsync();

        await using var reopened = SqliteStore.InDirectory(_dir);
        await reopened.InitializeAsync();

        Assert.Equal(key, await reopened.FindKeyAsync("us-east-1", key.KeyId));
    }
}
