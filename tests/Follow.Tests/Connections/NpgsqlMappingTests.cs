using Npgsql;
using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class NpgsqlMappingTests
{
    [Fact]
    public void Verify_full_with_a_root_certificate_reaches_npgsql()
    {
        var builder = Parse("postgres://app@db/shop?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem").ToNpgsqlBuilder();

        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("/etc/ssl/ca.pem", builder.RootCertificate);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Each_libpq_sslmode_becomes_the_matching_npgsql_mode(string sslmode, SslMode expected)
    {
        Assert.Equal(expected, Parse($"host=db sslmode={sslmode}").ToNpgsqlBuilder().SslMode);
    }

    [Fact]
    public void Client_certificate_key_and_key_password_reach_npgsql()
    {
        var builder = Parse("host=db sslmode=require sslcert=/c.crt sslkey=/c.key sslpassword=kp sslnegotiation=direct").ToNpgsqlBuilder();

        Assert.Equal("/c.crt", builder.SslCertificate);
        Assert.Equal("/c.key", builder.SslKey);
        Assert.Equal("kp", builder.SslPassword);
        Assert.Equal(SslNegotiation.Direct, builder.SslNegotiation);
    }

    [Fact]
    public void Every_other_supported_keyword_reaches_its_npgsql_setting()
    {
        var builder = Parse("host=db port=6432 dbname=shop user=app password=pw passfile=/pgpass connect_timeout=7 "
            + "application_name=follow options='-c search_path=s' target_session_attrs=primary keepalives_idle=20 "
            + "client_encoding=UTF8").ToNpgsqlBuilder();

        Assert.Equal("db", builder.Host);
        Assert.Equal(6432, builder.Port);
        Assert.Equal("shop", builder.Database);
        Assert.Equal("app", builder.Username);
        Assert.Equal("pw", builder.Password);
        Assert.Equal("/pgpass", builder.Passfile);
        Assert.Equal(7, builder.Timeout);
        Assert.Equal("follow", builder.ApplicationName);
        Assert.Equal("-c search_path=s", builder.Options);
        Assert.Equal("primary", builder.TargetSessionAttributes);
        Assert.Equal(20, builder.KeepAlive);
        Assert.Equal("UTF8", builder.ClientEncoding);
    }

    [Fact]
    public void Several_hosts_with_their_own_ports_go_into_npgsql_host()
    {
        var builder = Parse("postgres://h1:5432,h2:5433,[::1]:5434/db").ToNpgsqlBuilder();

        Assert.Equal("h1:5432,h2:5433,[::1]:5434", builder.Host);
    }

    [Fact]
    public void One_port_for_several_hosts_becomes_npgsql_port()
    {
        var builder = Parse("host=h1,::1 port=5433").ToNpgsqlBuilder();

        Assert.Equal("h1,[::1]", builder.Host);
        Assert.Equal(5433, builder.Port);
    }

    [Fact]
    public void A_single_ipv6_host_is_given_to_npgsql_without_brackets()
    {
        Assert.Equal("::1", Parse("postgres://[::1]:5433/db").ToNpgsqlBuilder().Host);
    }

    [Fact]
    public void Host_wins_over_hostaddr_for_npgsql_so_certificates_are_checked_against_the_name()
    {
        var info = Parse("host=db.example.com hostaddr=10.0.0.5 sslmode=verify-full");

        Assert.Equal("db.example.com", info.ToNpgsqlBuilder().Host);
        Assert.Equal("10.0.0.5", info.Keywords["hostaddr"]);
    }

    [Fact]
    public void Each_call_gives_a_fresh_builder()
    {
        var info = Parse("host=db dbname=shop");
        var first = info.ToNpgsqlBuilder();
        first.Database = "changed";

        Assert.Equal("shop", info.ToNpgsqlBuilder().Database);
    }

    [Fact]
    public void The_connection_string_reads_back_to_the_same_settings()
    {
        var text = Parse("postgres://app:pw@db:6432/shop?sslmode=require").ToNpgsqlConnectionString();
        var builder = new NpgsqlConnectionStringBuilder(text);

        Assert.Equal(("db", 6432, "shop", "app", "pw", SslMode.Require),
            (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password, builder.SslMode));
    }
}
