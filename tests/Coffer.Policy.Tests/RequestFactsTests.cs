namespace Coffer.Policy.Tests;

public class RequestFactsTests
{
    private static readonly Caller Ann = new("arn:aws:iam::111122223333:user/ann", "111122223333", CallerKind.User, "AIDAANN", "ann");

    [Fact]
    public void Deferred_values_are_computed_only_when_a_key_is_read()
    {
        var fills = 0;
        var facts = new RequestFacts(Ann, "kms:Encrypt", "*").Defer(f =>
        {
            fills++;
            f.With("aws:SourceIp", "10.0.0.1");
        });

        // A policy without conditions reads no key: nothing is built for it.
        var allowAll = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""",
            PolicyDocument.Kind.Identity);
        Assert.Equal(IdentityDecision.Allow, PolicyEvaluator.EvaluateIdentity([allowAll], facts));
        Assert.Equal(0, fills);

        Assert.True(facts.TryGet("aws:sourceip", out var values));
        Assert.Equal(["10.0.0.1"], values);
        Assert.True(facts.TryGet("aws:SourceIp", out _));
        Assert.Equal(1, fills);
    }

    [Fact]
    public void Fills_run_in_the_order_given_and_a_later_value_for_a_key_wins()
    {
        var facts = new RequestFacts(Ann, "kms:Encrypt", "*")
            .Defer(f => f.With("kms:KeySpec", "first"))
            .Defer(f => f.With("kms:KeySpec", "second"));
        facts.With("kms:KeyUsage", "ENCRYPT_DECRYPT");
        facts.Defer(f => f.With("kms:KeySpec", "third"));

        Assert.True(facts.TryGet("kms:KeySpec", out var spec));
        Assert.Equal(["third"], spec);
        Assert.True(facts.TryGet("kms:KeyUsage", out var usage));
        Assert.Equal(["ENCRYPT_DECRYPT"], usage);
    }

    [Fact]
    public void A_condition_reads_deferred_values()
    {
        var policy = PolicyDocument.Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*",
              "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}
            """, PolicyDocument.Kind.Identity);

        Assert.Equal(IdentityDecision.Allow,
            PolicyEvaluator.EvaluateIdentity([policy], new RequestFacts(Ann, "kms:Encrypt", "*").Defer(f => f.With("aws:SourceIp", "10.1.2.3"))));
        Assert.Equal(IdentityDecision.NotApplicable,
            PolicyEvaluator.EvaluateIdentity([policy], new RequestFacts(Ann, "kms:Encrypt", "*").Defer(f => f.With("aws:SourceIp", "192.0.2.1"))));
    }
}
