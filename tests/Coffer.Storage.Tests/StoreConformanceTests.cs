using Coffer.Core;
using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>
/// What every <see cref="ICofferStore"/> engine must do. Each engine gets a subclass that says how
/// to open a fresh store and reopen it.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    protected ICofferStore Store { get; private set; } = null!;

    protected abstract Task<ICofferStore> OpenAsync();

    /// <summary>Empties a store that an engine shares between the tests of a class.</summary>
    protected virtual Task EmptyAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Store = await OpenAsync();
        await Store.InitializeAsync();
        await EmptyAsync();
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

    private static KmsKey DueForDeletion(KmsKey key) => key with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(-1) };

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
    public async Task An_update_decided_on_a_state_the_store_no_longer_holds_changes_nothing()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var deletion = key with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(7), PendingWindowInDays = 7 };
        Assert.True(await Store.UpdateKeyAsync(deletion, key));

        // A DisableKey that read the key while it was still enabled: writing it would undo the scheduled deletion.
        Assert.False(await Store.UpdateKeyAsync(key with { State = KeyState.Disabled, Description = "late" }, key));

        var found = await Store.FindKeyAsync(key.Region, key.KeyId);
        Assert.Equal((KeyState.PendingDeletion, Now.AddDays(7), 7, key.Description), (found!.State, found.DeletionDate, found.PendingWindowInDays, found.Description));
    }

    [Fact]
    public async Task An_update_decided_on_a_description_the_store_no_longer_holds_changes_nothing()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        Assert.True(await Store.UpdateKeyAsync(key with { Description = "described meanwhile" }, key));

        // A DisableKey that read the key before UpdateKeyDescription: writing it would put the old description back.
        Assert.False(await Store.UpdateKeyAsync(key with { State = KeyState.Disabled }, key));
        Assert.Equal((KeyState.Enabled, "described meanwhile"), ((await Store.FindKeyAsync(key.Region, key.KeyId))!.State, (await Store.FindKeyAsync(key.Region, key.KeyId))!.Description));
    }

    [Fact]
    public async Task Updates_change_state_and_description()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));

        Assert.True(await Store.UpdateKeyAsync(key with { State = KeyState.Disabled, Description = "new" }, key));

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
        var key = DueForDeletion(NewKey());
        await Store.InsertKeyAsync(key, "{}", [new KmsTag("t", "v")], Material(key));
        await Store.TryInsertAliasAsync(new KmsAlias { AccountId = key.AccountId, Region = key.Region, Name = $"alias/{key.KeyId}", TargetKeyId = key.KeyId, CreationDate = Now, LastUpdatedDate = Now });

        Assert.True(await Store.DeleteKeyIfDueAsync(key.KeyId, Now));

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
    public async Task A_key_found_due_whose_deletion_is_cancelled_before_the_delete_stays_with_its_material()
    {
        var key = DueForDeletion(NewKey());
        var later = NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(1) };
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        await Store.InsertKeyAsync(later, "{}", [], Material(later));
        var found = Assert.Single(await Store.ListKeysDueForDeletionAsync(Now, 10), k => k.KeyId == key.KeyId);

        // CancelKeyDeletion lands between the deletion pass's listing and its delete.
        var cancelled = found with { State = KeyState.Disabled, DeletionDate = null };
        Assert.True(await Store.UpdateKeyAsync(cancelled, found));

        Assert.False(await Store.DeleteKeyIfDueAsync(key.KeyId, Now));
        Assert.False(await Store.DeleteKeyIfDueAsync(later.KeyId, Now));
        Assert.Equal(KeyState.Disabled, (await Store.FindKeyAsync(key.Region, key.KeyId))?.State);
        Assert.NotNull(await Store.FindMaterialAsync(key.KeyId, 1));
        Assert.NotNull(await Store.FindMaterialAsync(later.KeyId, 1));

        // A second pass (another node's, as the jobs lease changes hands) finds nothing left to delete.
        var due = DueForDeletion(NewKey());
        await Store.InsertKeyAsync(due, "{}", [], Material(due));
        Assert.True(await Store.DeleteKeyIfDueAsync(due.KeyId, Now));
        Assert.False(await Store.DeleteKeyIfDueAsync(due.KeyId, Now));
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
        Assert.True(await Store.UpdateKeyAsync(key with { Description = "stale copy" }, key));

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
        var imported = (await Store.FindKeyAsync(key.Region, key.KeyId))!.State;
        Assert.True(await Store.UpdateKeyAsync(key with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(7), PendingWindowInDays = 7 }, key with { State = imported }));

        await Store.DeleteImportedMaterialAsync(key.KeyId, 1);
        Assert.Equal(KeyState.PendingDeletion, (await Store.FindKeyAsync(key.Region, key.KeyId))!.State);
        await Store.PutImportedMaterialAsync(new StoredMaterial(key.KeyId, 1, [1], Now), info);
        Assert.Equal(KeyState.PendingDeletion, (await Store.FindKeyAsync(key.Region, key.KeyId))!.State);

        var rotating = NewKey() with { RotationPeriodInDays = 90, NextRotationDate = Now };
        await Store.InsertKeyAsync(rotating, "{}", [], Material(rotating));
        Assert.True(await Store.UpdateKeyAsync(rotating with { State = KeyState.Disabled }, rotating));
        Assert.False(await Store.TryAddMaterialVersionAsync(rotating with { CurrentMaterialVersion = 2, NextRotationDate = Now.AddDays(90) },
            new StoredMaterial(rotating.KeyId, 2, [2], Now, RotationTypes.Automatic)));
        Assert.Null(await Store.FindMaterialAsync(rotating.KeyId, 2));
        await Store.UpdateRotationScheduleAsync(rotating.KeyId, null, null);
        Assert.True(await Store.UpdateKeyAsync(rotating with { State = KeyState.Disabled, Description = "from an old copy" }, rotating with { State = KeyState.Disabled }));
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
        var (kept, deleted) = (NewKey(), DueForDeletion(NewKey()));
        await Store.InsertKeyAsync(kept, "{}", [], Material(kept));
        await Store.InsertKeyAsync(deleted, "{}", [], Material(deleted));
        await Store.SaveKeyLastUsesAsync([new KeyLastUse(deleted.KeyId, "Encrypt", Now, "event-1", "request-1")]);

        Assert.True(await Store.DeleteKeyIfDueAsync(deleted.KeyId, Now));
        Assert.Null(await Store.FindKeyLastUseAsync(deleted.KeyId));

        var use = new KeyLastUse(kept.KeyId, "Verify", Now, "event-2", "request-2");
        await Store.SaveKeyLastUsesAsync([new KeyLastUse(deleted.KeyId, "Decrypt", Now, "event-3", "request-3"), use]);
        Assert.Equal(use, await Store.FindKeyLastUseAsync(kept.KeyId));
        Assert.Null(await Store.FindKeyLastUseAsync(deleted.KeyId));
    }

    [Fact]
    public async Task Principal_names_are_unique_without_regard_to_case_and_listed_in_byte_order()
    {
        var account = $"{Random.Shared.NextInt64(100_000_000_000, 999_999_999_999)}";
        PrincipalRecord User(string name) => new($"arn:aws:iam::{account}:user/{name}", account, PrincipalKind.User, name, $"AIDA{name}", "/", Now);

        Assert.True(await Store.TryInsertPrincipalAsync(User("bob")));
        Assert.False(await Store.TryInsertPrincipalAsync(User("BOB")));
        Assert.True(await Store.TryInsertPrincipalAsync(User("Zed")));
        Assert.True(await Store.TryInsertPrincipalAsync(User("alice")));
        Assert.True(await Store.TryInsertPrincipalAsync(User("_x")));

        Assert.Equal("bob", (await Store.FindPrincipalAsync(account, PrincipalKind.User, "Bob"))!.Name);
        Assert.Null(await Store.FindPrincipalAsync(account, PrincipalKind.Role, "bob"));
        // Byte order, as SQLite's BINARY collation gives it: upper case before '_' before lower case.
        Assert.Equal(["Zed", "_x", "alice", "bob"], (await Store.ListPrincipalsAsync(account, PrincipalKind.User, null, 10)).Select(p => p.Name));
        Assert.Equal(["alice", "bob"], (await Store.ListPrincipalsAsync(account, PrincipalKind.User, "_x", 10)).Select(p => p.Name));
    }

    [Fact]
    public async Task A_principal_keeps_its_policies_and_tags_until_it_is_deleted()
    {
        var arn = $"arn:aws:iam::111122223333:role/r-{Guid.NewGuid():N}";
        var role = new PrincipalRecord(arn, "111122223333", PrincipalKind.Role, arn[^10..], "AROA1", "/", Now, "{\"trust\":1}", 7200);
        Assert.True(await Store.TryInsertPrincipalAsync(role));
        await Store.PutPrincipalPolicyAsync(new PrincipalPolicy(arn, "b", "{1}"));
        await Store.PutPrincipalPolicyAsync(new PrincipalPolicy(arn, "a", "{2}"));
        await Store.PutPrincipalPolicyAsync(new PrincipalPolicy(arn, "b", "{3}"));
        await Store.ReplacePrincipalTagsAsync(arn, [new KmsTag("k1", "v1"), new KmsTag("k2", "v2")]);
        await Store.ReplacePrincipalTagsAsync(arn, [new KmsTag("k3", "v3")]);

        Assert.Equal(role, await Store.FindPrincipalAsync("111122223333", PrincipalKind.Role, role.Name));
        Assert.Equal([new PrincipalPolicy(arn, "a", "{2}"), new PrincipalPolicy(arn, "b", "{3}")], await Store.ListPrincipalPoliciesAsync(arn));
        Assert.Equal([new KmsTag("k3", "v3")], await Store.GetPrincipalTagsAsync(arn));
        Assert.True(await Store.DeletePrincipalPolicyAsync(arn, "a"));
        Assert.False(await Store.DeletePrincipalPolicyAsync(arn, "a"));

        Assert.True(await Store.DeletePrincipalAsync(arn));
        Assert.False(await Store.DeletePrincipalAsync(arn));
        Assert.Empty(await Store.ListPrincipalPoliciesAsync(arn));
        Assert.Empty(await Store.GetPrincipalTagsAsync(arn));
    }

    [Fact]
    public async Task Access_keys_and_sessions_are_found_listed_and_removed()
    {
        var principal = $"arn:aws:iam::111122223333:user/{Guid.NewGuid():N}";
        var first = new AccessKeyRecord($"AKIA{Guid.NewGuid():N}"[..20], "111122223333", principal, "u", AccessKeyStatus.Active, [1], Now);
        var second = first with { AccessKeyId = $"AKIA{Guid.NewGuid():N}"[..20], CreatedAt = Now.AddSeconds(1) };
        await Store.UpsertAccessKeyAsync(second);
        await Store.UpsertAccessKeyAsync(first);
        var session = new SessionRecord($"ASIA{Guid.NewGuid():N}"[..20], "111122223333", "arn:aws:iam::111122223333:role/r", "AROA1", "s", [2], [3], Now.AddHours(1), Now);
        await Store.InsertSessionAsync(session);
        await Store.UpdateSessionSecretAsync(session.AccessKeyId, [4]);

        Assert.Equal([first.AccessKeyId, second.AccessKeyId], (await Store.ListAccessKeysAsync(principal)).Select(k => k.AccessKeyId));
        Assert.Contains(await Store.ListAllAccessKeysAsync(), k => k.AccessKeyId == first.AccessKeyId);
        var found = await Store.FindSessionAsync(session.AccessKeyId);
        Assert.Equal(session, found! with { SealedSecret = session.SealedSecret, TokenHash = session.TokenHash });
        Assert.Equal([4], found.SealedSecret);
        Assert.Equal([3], found.TokenHash);
        Assert.Contains(await Store.ListAllSessionsAsync(), s => s.AccessKeyId == session.AccessKeyId);
        Assert.True(await Store.DeleteAccessKeyAsync(first.AccessKeyId));
        Assert.False(await Store.DeleteAccessKeyAsync(first.AccessKeyId));
        Assert.Null(await Store.FindAccessKeyAsync(first.AccessKeyId));
        Assert.Null(await Store.FindSessionAsync("ASIANONE"));
    }

    [Fact]
    public async Task Grants_are_found_by_key_grantee_and_retiring_principal_and_go_with_their_key()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{\"v\":1}", [], Material(key));
        await Store.SetKeyPolicyAsync(key.KeyId, "{\"v\":2}");
        var retiring = $"arn:aws:iam::111122223333:role/{Guid.NewGuid():N}";
        var grant = new GrantRecord($"g1-{key.KeyId}", key.KeyId, "name", "arn:a", retiring, ["Decrypt", "Encrypt"],
            new Dictionary<string, string> { ["k"] = "v" }, null, "111122223333", Now);
        var other = grant with { GrantId = $"g2-{key.KeyId}", Name = null, GranteePrincipal = "arn:b", RetiringPrincipal = null, EncryptionContextEquals = null,
            EncryptionContextSubset = new Dictionary<string, string> { ["s"] = "t" }, CreatedAt = Now.AddSeconds(1) };
        await Store.InsertGrantAsync(grant);
        await Store.InsertGrantAsync(other);

        static object Shape(GrantRecord g) => (g.GrantId, g.KeyId, g.Name, g.GranteePrincipal, g.RetiringPrincipal, string.Join(',', g.Operations),
            g.EncryptionContextEquals is null ? null : string.Join(',', g.EncryptionContextEquals), g.EncryptionContextSubset is null ? null : string.Join(',', g.EncryptionContextSubset),
            g.IssuingAccount, g.CreatedAt);
        Assert.Equal("{\"v\":2}", await Store.GetKeyPolicyAsync(key.KeyId));
        Assert.Equal([Shape(grant), Shape(other)], (await Store.ListGrantsAsync(key.KeyId)).Select(Shape));
        Assert.Equal([Shape(other)], (await Store.ListGrantsForGranteesAsync(key.KeyId, ["arn:b", "arn:c"])).Select(Shape));
        Assert.Empty(await Store.ListGrantsForGranteesAsync(key.KeyId, []));
        Assert.Equal(2, (await Store.ListGrantsAsync(key.KeyId)).Count);
        Assert.Equal([Shape(grant)], (await Store.ListGrantsByRetiringPrincipalAsync(retiring)).Select(Shape));
        Assert.Equal(Shape(grant), Shape((await Store.FindGrantAsync(grant.GrantId))!));
        Assert.True(await Store.DeleteGrantAsync(grant.GrantId));
        Assert.False(await Store.DeleteGrantAsync(grant.GrantId));

        Assert.True(await Store.UpdateKeyAsync(DueForDeletion(key), key));
        Assert.True(await Store.DeleteKeyIfDueAsync(key.KeyId, Now));
        Assert.Null(await Store.FindGrantAsync(other.GrantId));
        Assert.Null(await Store.GetKeyPolicyAsync(key.KeyId));
    }

    [Fact]
    public async Task Grant_limits_refuse_a_new_grant_past_either_limit_but_not_a_retry()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var limits = new GrantLimits(PerKey: 3, PerGranteePerKey: 2);
        var first = new GrantRecord($"g1-{key.KeyId}", key.KeyId, "named", "arn:a", null, ["Encrypt"], null, null, "111122223333", Now);
        await Store.InsertGrantAsync(first, limits);
        await Store.InsertGrantAsync(first with { GrantId = $"g2-{key.KeyId}", Name = null }, limits);

        var third = first with { GrantId = $"g3-{key.KeyId}", Name = null };
        Assert.Equal(GrantLimitKind.PerGranteePerKey, (await Assert.ThrowsAsync<GrantLimitExceededException>(() => Store.InsertGrantAsync(third, limits).AsTask())).Limit);
        // A retry of a grant that exists is the grant it retries, at the limit too.
        Assert.Equal(first.GrantId, (await Store.InsertGrantAsync(first with { GrantId = $"g4-{key.KeyId}" }, limits)).GrantId);

        await Store.InsertGrantAsync(third with { GranteePrincipal = "arn:b" }, limits);
        var fourth = first with { GrantId = $"g5-{key.KeyId}", Name = null, GranteePrincipal = "arn:c" };
        Assert.Equal(GrantLimitKind.PerKey, (await Assert.ThrowsAsync<GrantLimitExceededException>(() => Store.InsertGrantAsync(fourth, limits).AsTask())).Limit);
        Assert.Equal(3, (await Store.ListGrantsAsync(key.KeyId)).Count);
    }

    [Fact]
    public async Task New_grants_sent_at_once_cannot_go_past_the_key_limit()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var limits = new GrantLimits(PerKey: 2, PerGranteePerKey: 100);
        await Store.InsertGrantAsync(new GrantRecord($"g0-{key.KeyId}", key.KeyId, null, "arn:a", null, ["Encrypt"], null, null, "111122223333", Now), limits);

        var attempts = Enumerable.Range(1, 6).Select(async i =>
        {
            try
            {
                await Store.InsertGrantAsync(new GrantRecord($"g{i}-{key.KeyId}", key.KeyId, null, $"arn:{i}", null, ["Encrypt"], null, null, "111122223333", Now), limits);
                return true;
            }
            catch (GrantLimitExceededException)
            {
                return false;
            }
        });

        Assert.Single(await Task.WhenAll(attempts), stored => stored);
        Assert.Equal(2, (await Store.ListGrantsAsync(key.KeyId)).Count);
    }

    [Fact]
    public async Task A_named_grant_inserted_again_with_the_same_terms_is_the_first_one_and_other_terms_make_a_new_grant()
    {
        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [], Material(key));
        var grant = new GrantRecord($"g1-{key.KeyId}", key.KeyId, "retried", "arn:a", null, ["Decrypt", "Encrypt"],
            new Dictionary<string, string> { ["k"] = "v" }, null, "111122223333", Now);

        Assert.Equal(grant.GrantId, (await Store.InsertGrantAsync(grant)).GrantId);
        Assert.Equal(grant.GrantId, (await Store.InsertGrantAsync(grant with { GrantId = $"g2-{key.KeyId}", CreatedAt = Now.AddSeconds(1) })).GrantId);
        var otherTerms = grant with { GrantId = $"g3-{key.KeyId}", Operations = ["Encrypt"] };
        Assert.Equal(otherTerms.GrantId, (await Store.InsertGrantAsync(otherTerms)).GrantId);
        var unnamed = grant with { GrantId = $"g4-{key.KeyId}", Name = null };
        Assert.Equal(unnamed.GrantId, (await Store.InsertGrantAsync(unnamed)).GrantId);
        // An unnamed grant is never a retry: AWS makes a new one each time.
        var unnamedAgain = unnamed with { GrantId = $"g5-{key.KeyId}" };
        Assert.Equal(unnamedAgain.GrantId, (await Store.InsertGrantAsync(unnamedAgain)).GrantId);

        Assert.Equal([grant.GrantId, otherTerms.GrantId, unnamed.GrantId, unnamedAgain.GrantId],
            (await Store.ListGrantsAsync(key.KeyId)).Select(g => g.GrantId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Aliases_are_listed_by_name_per_key_and_follow_an_update()
    {
        var (first, second) = (NewKey($"test-{Guid.NewGuid():N}"), NewKey());
        second = second with { Region = first.Region };
        await Store.InsertKeyAsync(first, "{}", [], Material(first));
        await Store.InsertKeyAsync(second, "{}", [], Material(second));
        KmsAlias Alias(string name, KmsKey target) => new() { AccountId = target.AccountId, Region = target.Region, Name = name, TargetKeyId = target.KeyId, CreationDate = Now, LastUpdatedDate = Now };
        foreach (var (name, target) in new[] { ("alias/b", first), ("alias/a", first), ("alias/C", second) })
        {
            Assert.True(await Store.TryInsertAliasAsync(Alias(name, target)));
        }

        await Store.UpdateAliasAsync(Alias("alias/b", second) with { LastUpdatedDate = Now.AddDays(1) });

        Assert.Equal(["alias/C", "alias/a", "alias/b"], (await Store.ListAliasesAsync(first.AccountId, first.Region, null, null, 10)).Select(a => a.Name));
        Assert.Equal(["alias/a"], (await Store.ListAliasesAsync(first.AccountId, first.Region, first.KeyId, null, 10)).Select(a => a.Name));
        Assert.Equal(["alias/b"], (await Store.ListAliasesAsync(first.AccountId, first.Region, second.KeyId, "alias/C", 10)).Select(a => a.Name));
        Assert.Equal(Alias("alias/b", second) with { LastUpdatedDate = Now.AddDays(1) }, await Store.FindAliasAsync(first.AccountId, first.Region, "alias/b"));
    }

    [Fact]
    public async Task Settings_are_replaced_and_deleted_together_and_material_is_replaced_only_from_what_it_was()
    {
        var (a, b) = ($"a-{Guid.NewGuid():N}", $"b-{Guid.NewGuid():N}");
        await Store.TryInsertSettingAsync(a, [1]);
        await Store.ReplaceSettingsAsync(new Dictionary<string, byte[]?> { [a] = null, [b] = [2] });
        Assert.Null(await Store.GetSettingAsync(a));
        Assert.Equal([2], await Store.GetSettingAsync(b));

        var key = NewKey();
        await Store.InsertKeyAsync(key, "{}", [new KmsTag("x", "1"), new KmsTag("y", "2")], Material(key));
        await Store.ReplaceTagsAsync(key.KeyId, [new KmsTag("y", "3")]);
        Assert.Equal([new KmsTag("y", "3")], await Store.GetTagsAsync(key.KeyId));
        Assert.False(await Store.UpdateMaterialAsync(Material(key) with { Sealed = [9] }, [0]));
        Assert.True(await Store.UpdateMaterialAsync(Material(key) with { Sealed = [9] }, [1, 2, 3]));
        Assert.Equal([9], (await Store.FindMaterialAsync(key.KeyId, 1))!.Sealed);
        Assert.Contains(await Store.ListAllMaterialAsync(), m => m.KeyId == key.KeyId && m.Sealed.SequenceEqual(new byte[] { 9 }));
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

public sealed class PostgresStoreConformanceTests(PostgresTestDatabase database) : StoreConformanceTests, IClassFixture<PostgresTestDatabase>
{
    protected override Task<ICofferStore> OpenAsync() => Task.FromResult<ICofferStore>(new PostgresStore(database.ConnectionString));

    // The class shares one database; each test starts from an empty store, as each SQLite test has its own file.
    protected override Task EmptyAsync() => database.EmptyAsync();

    [Fact]
    public async Task The_store_survives_reopening_and_migrating_again()
    {
        var key = new KmsKey { KeyId = Guid.NewGuid().ToString(), AccountId = "111122223333", Region = "us-east-1", CreationDate = DateTimeOffset.FromUnixTimeSeconds(1), State = KeyState.Enabled };
        await Store.InsertKeyAsync(key, "{}", [], new StoredMaterial(key.KeyId, 1, [7], key.CreationDate));

        await using var reopened = new PostgresStore(database.ConnectionString);
        await reopened.InitializeAsync();

        Assert.Equal(key, await reopened.FindKeyAsync("us-east-1", key.KeyId));
    }

    [Fact]
    public async Task Nodes_racing_for_one_alias_one_rotation_or_one_named_grant_end_with_exactly_one_winner()
    {
        var key = new KmsKey { KeyId = Guid.NewGuid().ToString(), AccountId = "111122223333", Region = "us-east-1", CreationDate = DateTimeOffset.FromUnixTimeSeconds(1), State = KeyState.Enabled };
        await Store.InsertKeyAsync(key, "{}", [], new StoredMaterial(key.KeyId, 1, [7], key.CreationDate));
        var nodes = new List<PostgresStore>();
        for (var i = 0; i < 4; i++)
        {
            nodes.Add(new PostgresStore(database.ConnectionString));
        }

        try
        {
            var alias = new KmsAlias { AccountId = key.AccountId, Region = key.Region, Name = $"alias/{key.KeyId}", TargetKeyId = key.KeyId, CreationDate = key.CreationDate, LastUpdatedDate = key.CreationDate };
            var aliases = await Task.WhenAll(nodes.Select(n => n.TryInsertAliasAsync(alias).AsTask()));
            var rotated = key with { CurrentMaterialVersion = 2, OnDemandRotations = 1 };
            var rotations = await Task.WhenAll(nodes.Select((n, i) =>
                n.TryAddMaterialVersionAsync(rotated, new StoredMaterial(key.KeyId, 2, [(byte)i], key.CreationDate, RotationTypes.OnDemand)).AsTask()));

            var grant = new GrantRecord("", key.KeyId, "raced", "arn:a", null, ["Encrypt"], null, null, key.AccountId, key.CreationDate);
            var grants = await Task.WhenAll(nodes.Select((n, i) => n.InsertGrantAsync(grant with { GrantId = $"g{i}-{key.KeyId}" }).AsTask()));

            Assert.Single(aliases, won => won);
            Assert.Single(rotations, won => won);
            Assert.Single(grants.Select(g => g.GrantId).Distinct());
            Assert.Single(await Store.ListGrantsAsync(key.KeyId));
            var found = await Store.FindKeyAsync(key.Region, key.KeyId);
            Assert.Equal((2, 1), (found!.CurrentMaterialVersion, found.OnDemandRotations));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
