using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class ConnectionUriTests
{
    [Fact]
    public void A_full_uri_gives_user_password_host_port_database_and_parameters()
    {
        var info = Parse("postgres://app:s3cret@db.example.com:6432/shop?sslmode=require&application_name=follow");

        Assert.Equal("app", info.User);
        Assert.Equal("s3cret", info.Keywords["password"]);
        Assert.Equal("db.example.com", info.Host);
        Assert.Equal(6432, info.Port);
        Assert.Equal("shop", info.Database);
        Assert.Equal("require", info.SslMode);
        Assert.Equal("follow", info.ApplicationName);
    }

    [Theory]
    [InlineData("postgres://h/db")]
    [InlineData("postgresql://h/db")]
    [InlineData("pgsql://h/db")]
    [InlineData("POSTGRES://h/db")]
    public void Every_accepted_scheme_reads_the_same(string uri)
    {
        var info = Parse(uri);

        Assert.Equal("h", info.Host);
        Assert.Equal("db", info.Database);
    }

    [Fact]
    public void An_unknown_scheme_is_refused_and_the_accepted_ones_are_named()
    {
        var message = ErrorFrom("mysql://root@h/db");

        Assert.Contains("\"mysql\"", message);
        Assert.Contains("postgres://", message);
    }

    [Fact]
    public void Percent_encoding_is_decoded_in_user_password_host_database_and_parameters()
    {
        var info = Parse("postgres://us%40er:p%3Ass%2Fw%40rd@db%2Dhost/my%20db?application_name=a%26b%3Dc");

        Assert.Equal("us@er", info.User);
        Assert.Equal("p:ss/w@rd", info.Keywords["password"]);
        Assert.Equal("db-host", info.Host);
        Assert.Equal("my db", info.Database);
        Assert.Equal("a&b=c", info.ApplicationName);
    }

    [Fact]
    public void Percent_encoded_utf8_becomes_the_characters_it_encodes()
    {
        Assert.Equal("café", Parse("postgres://h/caf%C3%A9").Database);
    }

    [Fact]
    public void A_plus_sign_stays_a_plus_sign_as_in_libpq()
    {
        Assert.Equal("a+b", Parse("postgres://h/a+b").Database);
    }

    [Fact]
    public void An_unencoded_at_sign_in_the_password_is_kept()
    {
        var info = Parse("postgres://app:p@ss@db/shop");

        Assert.Equal("p@ss", info.Keywords["password"]);
        Assert.Equal("db", info.Host);
    }

    [Fact]
    public void An_at_sign_in_a_query_value_is_not_taken_for_user_information()
    {
        var info = Parse("postgres://db/shop?user=me@corp");

        Assert.Equal("me@corp", info.User);
        Assert.Equal("db", info.Host);
    }

    [Fact]
    public void A_bracketed_ipv6_address_gives_the_address_and_port()
    {
        var info = Parse("postgres://[::1]:5433/db");

        Assert.Equal("::1", info.Host);
        Assert.Equal(5433, info.Port);
    }

    [Fact]
    public void A_bracketed_ipv6_address_without_port_uses_the_default_port()
    {
        var info = Parse("postgres://[2001:db8::7]/db");

        Assert.Equal("2001:db8::7", info.Host);
        Assert.Equal(5432, info.Port);
    }

    [Fact]
    public void Several_hosts_keep_their_own_ports_in_a_parallel_list()
    {
        var info = Parse("postgresql://h1:5432,h2:5433,[::1]:5434/db?target_session_attrs=read-write");

        Assert.Equal("h1,h2,::1", info.Keywords["host"]);
        Assert.Equal("5432,5433,5434", info.Keywords["port"]);
        Assert.Equal("read-write", info.Keywords["target_session_attrs"]);
    }

    [Fact]
    public void A_host_without_port_among_several_leaves_its_port_entry_empty()
    {
        var info = Parse("postgres://h1,h2:5433/db");

        Assert.Equal("h1,h2", info.Keywords["host"]);
        Assert.Equal(",5433", info.Keywords["port"]);
    }

    [Fact]
    public void An_empty_host_means_the_default_socket_directory_when_it_exists()
    {
        var info = Parse("postgres:///shop", socketDirectoryExists: true);

        Assert.Equal("/var/run/postgresql", info.Host);
        Assert.Equal("shop", info.Database);
    }

    [Fact]
    public void An_empty_host_means_localhost_when_there_is_no_socket_directory()
    {
        Assert.Equal("localhost", Parse("postgres://app@:5433/shop").Host);
    }

    [Fact]
    public void A_bare_scheme_gives_the_default_host_and_nothing_else()
    {
        var info = Parse("postgres://");

        Assert.Equal("localhost", info.Host);
        Assert.Null(info.Database);
        Assert.Null(info.User);
        Assert.Equal(5432, info.Port);
    }

    [Fact]
    public void The_host_parameter_names_a_socket_directory_and_overrides_the_authority()
    {
        var info = Parse("postgresql://app@ignored/shop?host=/tmp/pg&port=5999");

        Assert.Equal("/tmp/pg", info.Host);
        Assert.Equal(5999, info.Port);
    }

    [Fact]
    public void A_percent_encoded_socket_directory_in_the_authority_is_decoded()
    {
        Assert.Equal("/var/lib/postgresql", Parse("postgresql://%2Fvar%2Flib%2Fpostgresql/db").Host);
    }

    [Fact]
    public void Pgloader_unix_socket_syntax_gives_the_directory_and_port()
    {
        var info = Parse("pgsql://app@unix:/tmp:54321/shop");

        Assert.Equal("/tmp", info.Host);
        Assert.Equal(54321, info.Port);
        Assert.Equal("shop", info.Database);
        Assert.Equal("app", info.User);
    }

    [Fact]
    public void Pgloader_doubled_at_signs_and_colons_stand_for_one()
    {
        var info = Parse("pgsql://do::main@@user:p@@ss:word@db/shop");

        Assert.Equal("do:main@user", info.User);
        Assert.Equal("p@ss:word", info.Keywords["password"]);
        Assert.Equal("db", info.Host);
    }

    [Fact]
    public void Ssl_true_is_read_as_sslmode_require_as_libpq_does()
    {
        Assert.Equal("require", Parse("postgres://h/db?ssl=true").SslMode);
    }

    [Fact]
    public void An_unknown_query_parameter_is_named_and_the_supported_keywords_are_listed()
    {
        var message = ErrorFrom("postgres://h/db?sslmood=require");

        Assert.StartsWith("--source: ", message);
        Assert.Contains("\"sslmood\"", message);
        Assert.Contains("sslmode", message);
        Assert.Contains("target_session_attrs", message);
    }

    [Theory]
    [InlineData("postgres://h:port/db")]
    [InlineData("postgres://h:70000/db")]
    [InlineData("postgres://h:0/db")]
    public void A_port_that_is_not_a_port_number_is_refused(string uri)
    {
        Assert.Contains("port must be a port number", ErrorFrom(uri));
    }

    [Fact]
    public void A_bad_percent_sequence_is_refused()
    {
        Assert.Contains("'%'", ErrorFrom("postgres://h/db%zz"));
    }

    [Fact]
    public void An_unclosed_ipv6_bracket_is_refused()
    {
        Assert.Contains("\"]\"", ErrorFrom("postgres://[::1/db"));
    }

    [Fact]
    public void More_ports_than_hosts_is_refused()
    {
        Assert.Contains("2 ports for 1 hosts", ErrorFrom("postgres://h/db?port=1,2"));
    }
}
