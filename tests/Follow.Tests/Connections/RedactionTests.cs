using Follow.Connections;
using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class RedactionTests
{
    [Fact]
    public void Scrub_masks_the_passwords_of_both_connections()
    {
        var source = Parse("postgres://app:Zq9!xw@src/shop");
        var target = Parse("postgres://app:Kt7%23vv@dst/shop");

        var scrubbed = Redaction.Scrub("auth failed for Zq9!xw, then Kt7#vv", source, target);

        Assert.Equal("auth failed for ********, then ********", scrubbed);
    }

    [Fact]
    public void Scrub_masks_percent_encoded_and_libpq_quoted_forms()
    {
        var source = Parse("host=db password='p@ss w\\'rd'");

        var scrubbed = Redaction.Scrub("postgres://u:p%40ss%20w%27rd@db and password='p@ss w\\'rd'", source, null);

        Assert.Equal("postgres://u:********@db and password='********'", scrubbed);
    }

    [Fact]
    public void Scrub_masks_the_key_password_too()
    {
        var source = Parse("host=db sslpassword=Kp42");

        Assert.Equal("bad key password ********", Redaction.Scrub("bad key password Kp42", source));
    }

    [Fact]
    public void Scrub_masks_a_longer_password_whole_when_another_is_part_of_it()
    {
        var source = Parse("host=db password=secret");
        var target = Parse("host=db password=secret-2");

        Assert.Equal("saw ******** and ********", Redaction.Scrub("saw secret-2 and secret", source, target));
    }

    [Fact]
    public void Scrub_masks_a_password_even_where_it_is_part_of_a_host_name()
    {
        var source = Parse("postgres://app:house@warehouse/shop");

        Assert.Equal("could not reach ware********", Redaction.Scrub("could not reach warehouse", source));
    }

    [Fact]
    public void Scrub_leaves_text_alone_without_passwords()
    {
        Assert.Equal("nothing to hide", Redaction.Scrub("nothing to hide", Parse("host=db"), null));
    }
}
