using Coffer.Core;
using Coffer.Storage;

namespace Coffer.ArchitectureTests;

/// <summary>Numbers that are written to disk. These tests only grow: a changed value breaks every existing store.</summary>
public class PersistedValueTests
{
    [Fact]
    public void Key_states_keep_their_numbers()
    {
        Assert.Equal(1, (int)KeyState.Enabled);
        Assert.Equal(2, (int)KeyState.Disabled);
        Assert.Equal(3, (int)KeyState.PendingDeletion);
        Assert.Equal(4, (int)KeyState.PendingImport);
        Assert.Equal(4, Enum.GetValues<KeyState>().Length);
    }

    [Fact]
    public void Rotation_types_and_expiration_models_keep_their_names()
    {
        // Stored as text in key_material.rotation_type and keys.expiration_model.
        Assert.Equal(("AUTOMATIC", "ON_DEMAND"), (RotationTypes.Automatic, RotationTypes.OnDemand));
        Assert.Equal(("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"), (ExpirationModels.Expires, ExpirationModels.DoesNotExpire));
    }

    [Fact]
    public void Access_key_statuses_keep_their_numbers()
    {
        Assert.Equal(1, (int)AccessKeyStatus.Active);
        Assert.Equal(2, (int)AccessKeyStatus.Inactive);
        Assert.Equal(2, Enum.GetValues<AccessKeyStatus>().Length);
    }

    [Fact]
    public void Key_states_keep_their_wire_names()
    {
        Assert.Equal("Enabled", KeyState.Enabled.ToWire());
        Assert.Equal("Disabled", KeyState.Disabled.ToWire());
        Assert.Equal("PendingDeletion", KeyState.PendingDeletion.ToWire());
    }
}
