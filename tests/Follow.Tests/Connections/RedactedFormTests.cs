using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class RedactedFormTests
{
    [Fact]
    public void The_display_form_is_a_uri_without_the_password()
    {
        var info = Parse("postgres://app:s3cret@db:5432/shop?sslmode=require");

        Assert.Equal("postgres://app@db:5432/shop?sslmode=require", info.Redacted);
        Assert.Equal(info.Redacted, info.ToString());
    }

    [Fact]
    public void The_display_form_leaves_out_the_key_password_too()
    {
        var info = Parse("host=db user=app password=pw1 sslpassword=kp2 sslkey=/c.key");

        Assert.Equal("postgres://app@db?sslkey=/c.key", info.Redacted);
    }

    [Fact]
    public void A_socket_directory_is_shown_as_the_host_parameter()
    {
        var info = Parse("host=/tmp port=5433 dbname=shop user=app");

        Assert.Equal("postgres://app@/shop?host=/tmp&port=5433", info.Redacted);
    }

    [Fact]
    public void Several_hosts_and_ipv6_are_shown_as_libpq_writes_them()
    {
        var info = Parse("postgres://h1:5432,[::1]:5433/db");

        Assert.Equal("postgres://h1:5432,[::1]:5433/db", info.Redacted);
    }

    [Fact]
    public void Special_characters_are_percent_encoded_in_the_display_form()
    {
        var info = Parse("host=db user='a b@c' dbname='my/db' application_name='x&y'");

        Assert.Equal("postgres://a%20b%40c@db/my%2Fdb?application_name=x%26y", info.Redacted);
    }

    [Theory]
    [InlineData("postgres://app:pw@h1:5432,[::1]:5433/shop?sslmode=verify-full&sslrootcert=/ca.pem&application_name=a%20b")]
    [InlineData("host=/var/run/postgresql port=5433 dbname='my db' user=app password=pw options='-c x=y'")]
    [InlineData("hostaddr=10.0.0.5 port=6000 dbname=shop")]
    public void The_display_form_parses_back_to_the_same_settings_less_the_password(string text)
    {
        var info = Parse(text);
        var again = Parse(info.Redacted);

        Assert.Equal(info.Keywords.Where(k => k.Key != "password"), again.Keywords);
    }
}
