using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class ConninfoStringTests
{
    [Fact]
    public void Space_separated_settings_are_read()
    {
        var info = Parse("host=db.example.com port=6432 dbname=shop user=app password=s3cret");

        Assert.Equal("db.example.com", info.Host);
        Assert.Equal(6432, info.Port);
        Assert.Equal("shop", info.Database);
        Assert.Equal("app", info.User);
        Assert.Equal("s3cret", info.Keywords["password"]);
    }

    [Fact]
    public void Spaces_around_the_equals_sign_are_allowed()
    {
        var info = Parse("  host = db   dbname =shop\tuser=  app  ");

        Assert.Equal("db", info.Host);
        Assert.Equal("shop", info.Database);
        Assert.Equal("app", info.User);
    }

    [Fact]
    public void A_quoted_value_keeps_its_spaces()
    {
        Assert.Equal("my shop", Parse("host=h dbname='my shop'").Database);
    }

    [Fact]
    public void Backslash_escapes_a_quote_and_a_backslash_inside_quotes()
    {
        Assert.Equal(@"it's a \ test", Parse(@"host=h password='it\'s a \\ test'").Keywords["password"]);
    }

    [Fact]
    public void Backslash_escapes_in_an_unquoted_value_too_as_in_libpq()
    {
        Assert.Equal("a b", Parse(@"host=h dbname=a\ b").Database);
    }

    [Fact]
    public void A_quoted_semicolon_does_not_make_an_npgsql_string()
    {
        Assert.Equal("a;b", Parse("host=h password='a;b'").Keywords["password"]);
    }

    [Fact]
    public void An_empty_quoted_value_means_the_default()
    {
        var info = Parse("host='' dbname=shop");

        Assert.Equal("localhost", info.Host);
        Assert.False(info.Keywords.ContainsKey("port"));
    }

    [Fact]
    public void A_later_setting_wins_over_an_earlier_one()
    {
        Assert.Equal("second", Parse("dbname=first dbname=second").Database);
    }

    [Fact]
    public void Without_host_the_default_is_used_as_with_a_uri()
    {
        Assert.Equal("/var/run/postgresql", Parse("dbname=shop", socketDirectoryExists: true).Host);
    }

    [Fact]
    public void Hostaddr_alone_is_the_address_and_no_default_host_is_added()
    {
        var info = Parse("hostaddr=10.0.0.5 dbname=shop");

        Assert.Equal("10.0.0.5", info.Host);
        Assert.False(info.Keywords.ContainsKey("host"));
        Assert.Equal("10.0.0.5", info.ToNpgsqlBuilder().Host);
    }

    [Fact]
    public void Hostaddr_that_is_not_an_ip_address_is_refused()
    {
        Assert.Contains("hostaddr must be a numeric IP address", ErrorFrom("hostaddr=db.example.com"));
    }

    [Fact]
    public void An_unknown_keyword_is_named_and_the_supported_ones_listed()
    {
        var message = ErrorFrom("host=h servce=prod");

        Assert.StartsWith("--source: ", message);
        Assert.Contains("\"servce\"", message);
        Assert.Contains("host, hostaddr, port, dbname, user, password", message);
    }

    [Fact]
    public void An_npgsql_style_keyword_without_semicolons_gets_a_lower_case_hint()
    {
        Assert.Contains("lower case", ErrorFrom("Host=db"));
    }

    [Fact]
    public void An_unterminated_quote_is_refused()
    {
        Assert.Contains("no closing quote", ErrorFrom("host=h dbname='shop"));
    }

    [Fact]
    public void A_word_without_equals_is_refused_by_position()
    {
        Assert.Contains("character 8", ErrorFrom("host=h dbname"));
    }

    [Fact]
    public void An_equals_sign_without_keyword_is_refused()
    {
        Assert.Contains("without a keyword", ErrorFrom("host=h =x"));
    }

    [Fact]
    public void Text_that_is_neither_uri_nor_settings_is_refused()
    {
        Assert.Contains("neither a URI", ErrorFrom("db.example.com:5432"));
    }

    [Fact]
    public void An_empty_string_is_refused()
    {
        Assert.Contains("empty", ErrorFrom("   "));
    }

    [Theory]
    [InlineData("sslmode=verify_full", "sslmode must be one of")]
    [InlineData("target_session_attrs=prefer-primary", "target_session_attrs must be one of")]
    [InlineData("sslnegotiation=tls", "sslnegotiation must be one of")]
    [InlineData("connect_timeout=5000", "connect_timeout must be a whole number of seconds from 0 to 1024")]
    [InlineData("connect_timeout=-1", "connect_timeout must be a whole number")]
    [InlineData("keepalives_idle=soon", "keepalives_idle must be a whole number")]
    [InlineData("client_encoding=LATIN1", "client_encoding must be UTF8")]
    public void A_value_out_of_range_is_refused_naming_the_keyword(string setting, string expected)
    {
        Assert.Contains(expected, ErrorFrom("host=h " + setting));
    }

    [Fact]
    public void Host_and_hostaddr_lists_of_different_lengths_are_refused()
    {
        Assert.Contains("2 hosts but hostaddr lists 1", ErrorFrom("host=a,b hostaddr=10.0.0.1"));
    }
}
