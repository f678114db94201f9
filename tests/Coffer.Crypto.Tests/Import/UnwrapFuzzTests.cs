using System.Diagnostics;
using System.Security.Cryptography;
using Coffer.Crypto.Import;

namespace Coffer.Crypto.Tests.Import;

/// <summary>
/// Unwrap reads bytes straight from the request: whatever arrives, it answers null or the material,
/// never throws, and takes bounded time.
/// </summary>
public class UnwrapFuzzTests
{
    private const int Rounds = 2000;

    // Far above what these rounds need on a loaded two-core machine (a few seconds), far below a hang.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")]
    [InlineData("SM2PKE", "SM2")]
    public void Random_bytes_of_random_lengths_up_to_the_api_limit_give_null(string wrappingAlgorithm, string wrappingKeySpec)
    {
        var privateKey = ClientWrap.PairOf(wrappingKeySpec).PrivateKey;
        var clock = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            // Half the rounds take the lengths that pass the length checks and reach the RSA or AES
            // step: one modulus (256), or one modulus plus whole 8-byte blocks.
            var length = round % 2 == 0
                ? RandomNumberGenerator.GetInt32(ImportWrapping.MaxEncryptedKeyMaterialBytes + 1)
                : 256 + 8 * RandomNumberGenerator.GetInt32(2, 60);
            var input = RandomNumberGenerator.GetBytes(round % 4 == 1 ? 256 : length);

            Assert.Null(ImportWrapping.Unwrap(wrappingAlgorithm, wrappingKeySpec, privateKey, input));
        }

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Budget);
    }

    [Fact]
    public void Sm2_ciphertexts_with_sound_der_and_random_contents_give_null()
    {
        var privateKey = ClientWrap.PairOf("SM2").PrivateKey;
        var clock = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            // SEQUENCE { x, y, C3, C2 } with random coordinates and hash: the parse succeeds, so
            // the point decoding, the curve check and the C3 check are what refuse it.
            var x = Integer(RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(1, 34)));
            var y = Integer(RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(1, 34)));
            var c3 = Der(0x04, RandomNumberGenerator.GetBytes(round % 3 == 0 ? RandomNumberGenerator.GetInt32(40) : 32));
            var c2 = Der(0x04, RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(2000)));

            Assert.Null(ImportWrapping.Unwrap("SM2PKE", "SM2", privateKey, Der(0x30, [.. x, .. y, .. c3, .. c2])));
        }

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Budget);
    }

    private static byte[] Integer(byte[] value) => Der(0x02, value[0] >= 0x80 ? [0, .. value] : value);

    private static byte[] Der(byte tag, byte[] content)
    {
        byte[] length = content.Length switch
        {
            < 0x80 => [(byte)content.Length],
            < 0x100 => [0x81, (byte)content.Length],
            _ => [0x82, (byte)(content.Length >> 8), (byte)(content.Length & 0xFF)],
        };
        return [tag, .. length, .. content];
    }
}
