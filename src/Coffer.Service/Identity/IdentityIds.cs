using Coffer.Crypto;

namespace Coffer.Service.Identity;

/// <summary>The id formats IAM and STS use: AIDA… users, AROA… roles, AKIA… keys, ASIA… session keys.</summary>
public static class IdentityIds
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string UserId() => "AIDA" + RandomSource.String(IdAlphabet, 17);
    public static string RoleId() => "AROA" + RandomSource.String(IdAlphabet, 17);
    public static string AccessKeyId() => "AKIA" + RandomSource.String(IdAlphabet, 16);
    public static string SessionAccessKeyId() => "ASIA" + RandomSource.String(IdAlphabet, 16);
    public static string SecretAccessKey() => RandomSource.String(SecretAlphabet, 40);

    /// <summary>An opaque session token: long enough that guessing one is hopeless.</summary>
    public static string SessionToken() => "Cfr" + Convert.ToBase64String(RandomSource.Bytes(96));

    public static string UserArn(string accountId, string name, string path = "/") => $"arn:aws:iam::{accountId}:user{path}{name}";
    public static string RoleArn(string accountId, string name, string path = "/") => $"arn:aws:iam::{accountId}:role{path}{name}";
    public static string AssumedRoleArn(string accountId, string roleName, string sessionName) => $"arn:aws:sts::{accountId}:assumed-role/{roleName}/{sessionName}";
}
