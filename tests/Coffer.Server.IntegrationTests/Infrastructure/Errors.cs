using Amazon.KeyManagementService;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>Assertions on AWS errors as the SDK surfaces them.</summary>
public static class Errors
{
    /// <summary>Runs <paramref name="call"/> and checks it fails with the AWS error code and, if given, the exact message.</summary>
    public static async Task<AmazonKeyManagementServiceException> ExpectAsync(string code, Func<Task> call, string? message = null)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call);
        Assert.Equal(code, error.ErrorCode);
        Assert.NotEqual(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }

        return error;
    }
}
