using Npgsql;
using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class NpgsqlStringTests
{
    [Fact]
    public void An_npgsql_string_becomes_libpq_keywords()
    {
        var info = Parse("Host=db;Port=6432;Database=shop;Username=app;Password=s3cret;SSL Mode=VerifyFull;Root Certificate=/ca.pem");

        Assert.Equal("db", info.Keywords["host"]);
        Assert.Equal("6432", info.Keywords["port"]);
        Assert.Equal("shop", info.Keywords["dbname"]);
        Assert.Equal("app", info.Keywords["user"]);
        Assert.Equal("s3cret", info.Keywords["password"]);
        Assert.Equal("verify-full", info.Keywords["sslmode"]);
        Assert.Equal("/ca.pem", info.Keywords["sslrootcert"]);
    }

    [Fact]
    public void Npgsql_only_settings_reach_npgsql_but_not_the_libpq_keywords()
    {
        var info = Parse("Host=db;Database=shop;Pooling=false;Maximum Pool Size=3");

        var builder = info.ToNpgsqlBuilder();
        Assert.False(builder.Pooling);
        Assert.Equal(3, builder.MaxPoolSize);
        Assert.Equal(["host", "dbname"], info.Keywords.Keys);
    }

    [Fact]
    public void Per_host_ports_inside_host_become_a_port_list()
    {
        var info = Parse("Host=h1:5433,[::1]:5434,h3;Port=5440;Database=shop");

        Assert.Equal("h1,::1,h3", info.Keywords["host"]);
        Assert.Equal("5433,5434,5440", info.Keywords["port"]);
    }

    [Fact]
    public void A_double_quoted_value_may_hold_a_semicolon()
    {
        Assert.Equal("a;b", Parse("Host=db;Password=\"a;b\"").Keywords["password"]);
    }

    [Fact]
    public void An_unknown_npgsql_keyword_is_named()
    {
        Assert.Contains("\"colour\"", ErrorFrom("Host=db;Colour=blue"));
    }

    [Fact]
    public void A_value_npgsql_refuses_names_the_setting()
    {
        Assert.Contains("the value of port", ErrorFrom("Host=db;Port=many"));
    }

    [Fact]
    public void An_npgsql_target_session_attribute_libpq_lacks_is_refused()
    {
        Assert.Contains("target_session_attrs must be one of", ErrorFrom("Host=db;Target Session Attributes=prefer-primary"));
    }

    [Fact]
    public void The_round_trip_through_npgsql_keeps_every_mapped_setting()
    {
        var info = Parse("Host=db;Database=shop;Username=app;Password=pw;Passfile=/pgpass;SSL Mode=Require;"
            + "SSL Certificate=/c.crt;SSL Key=/c.key;SSL Password=kp;SSL Negotiation=Direct;Timeout=9;"
            + "Application Name=follow;Options=-c x=y;Target Session Attributes=primary;Keepalive=30;Client Encoding=UTF8");

        Assert.Equal(
            ["host", "dbname", "user", "password", "passfile", "sslmode", "sslcert", "sslkey", "sslpassword",
             "sslnegotiation", "connect_timeout", "application_name", "options", "target_session_attrs",
             "keepalives_idle", "client_encoding"],
            info.Keywords.Keys);
        var builder = info.ToNpgsqlBuilder();
        Assert.Equal(SslNegotiation.Direct, builder.SslNegotiation);
        Assert.Equal(30, builder.KeepAlive);
        Assert.Equal("-c x=y", builder.Options);
    }
}
