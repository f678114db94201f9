using Coffer.Crypto;

namespace Coffer.Barrier.Tests;

public class SealTests
{
    [Fact]
    public void The_dev_seal_unwraps_what_it_wrapped_and_rejects_another_root_key()
    {
        var dir = Directory.CreateTempSubdirectory("coffer-seal-").FullName;
        var otherDir = Directory.CreateTempSubdirectory("coffer-seal-").FullName;
        using var seal = DevFileSeal.OpenOrCreate(dir);
        using var other = DevFileSeal.OpenOrCreate(otherDir);
        using var domainKey = SecretBytes.Random(32);

        var wrapped = seal.WrapDomainKey(domainKey);

        using (var unwrapped = seal.UnwrapDomainKey(wrapped))
        {
            Assert.Equal(domainKey.Span.ToArray(), unwrapped.Span.ToArray());
        }

        Assert.Throws<SealException>(() => other.UnwrapDomainKey(wrapped));
        Assert.Throws<SealException>(() => other.UnwrapDomainKey(wrapped.AsSpan(1)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, DevFileSeal.FileName)));
    }

    [Fact]
    public void The_shamir_seal_unwraps_only_with_the_right_root_key()
    {
        var (seal, shares) = ShamirSeal.Create(3, 2);
        using var domainKey = SecretBytes.Random(32);
        var wrapped = seal.WrapDomainKey(domainKey);

        using (var again = ShamirSeal.Combine([shares[0], shares[2]]))
        using (var unwrapped = again.UnwrapDomainKey(wrapped))
        {
            Assert.Equal(domainKey.Span.ToArray(), unwrapped.Span.ToArray());
        }

        using var wrong = new ShamirSeal(SecretBytes.Random(32));
        Assert.Throws<SealException>(() => wrong.UnwrapDomainKey(wrapped));
        seal.Dispose();
    }

    [Fact]
    public void An_hsm_key_never_shows_its_pin()
    {
        var hsm = new HsmKey("/usr/lib/softhsm/libsofthsm2.so", "token", "root", "123456-secret-pin");

        Assert.DoesNotContain("123456-secret-pin", hsm.ToString(), StringComparison.Ordinal);
    }
}
