using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

public class ConnectionInfoTests
{
    [Fact]
    public void Keywords_come_in_one_fixed_order_whatever_order_they_were_written_in()
    {
        var info = Parse("sslmode=require dbname=shop user=app host=db port=5433");

        Assert.Equal(["host", "port", "dbname", "user", "sslmode"], info.Keywords.Keys);
    }

    [Fact]
    public void With_database_changes_only_the_database()
    {
        var info = Parse("postgres://app:pw@db:5433/shop?sslmode=require");
        var other = info.WithDatabase("postgres");

        Assert.Equal("postgres", other.Database);
        Assert.Equal("shop", info.Database);
        Assert.Equal(
            info.Keywords.Where(k => k.Key != "dbname"),
            other.Keywords.Where(k => k.Key != "dbname"));
        Assert.Equal("postgres", other.ToNpgsqlBuilder().Database);
    }

    [Fact]
    public void With_application_name_adds_it_in_its_place()
    {
        var info = Parse("host=db dbname=shop sslmode=require").WithApplicationName("follow snapshot");

        Assert.Equal("follow snapshot", info.ApplicationName);
        Assert.Equal(["host", "dbname", "sslmode", "application_name"], info.Keywords.Keys);
        Assert.Equal("follow snapshot", info.ToNpgsqlBuilder().ApplicationName);
    }

    [Fact]
    public void With_keeps_npgsql_only_settings()
    {
        var info = Parse("Host=db;Database=shop;Pooling=false").WithDatabase("other");

        Assert.False(info.ToNpgsqlBuilder().Pooling);
    }

    [Fact]
    public void The_origin_is_kept_for_later_messages()
    {
        Assert.Equal("--source", Parse("host=db").Origin);
    }

    [Fact]
    public void Libpq_environment_carries_every_setting_a_child_process_needs()
    {
        var environment = Parse("host=h1,h2 port=5432,5433 dbname=shop user=app password=pw passfile=/pgpass "
            + "sslmode=verify-full sslrootcert=/ca sslcert=/c.crt sslkey=/c.key sslnegotiation=direct application_name=follow "
            + "connect_timeout=9 options='-c x=y' target_session_attrs=read-write client_encoding=UTF8").LibpqEnvironment();

        Assert.Equal(new Dictionary<string, string>
        {
            ["PGHOST"] = "h1,h2",
            ["PGPORT"] = "5432,5433",
            ["PGDATABASE"] = "shop",
            ["PGUSER"] = "app",
            ["PGPASSWORD"] = "pw",
            ["PGPASSFILE"] = "/pgpass",
            ["PGSSLMODE"] = "verify-full",
            ["PGSSLROOTCERT"] = "/ca",
            ["PGSSLCERT"] = "/c.crt",
            ["PGSSLKEY"] = "/c.key",
            ["PGSSLNEGOTIATION"] = "direct",
            ["PGAPPNAME"] = "follow",
            ["PGCONNECT_TIMEOUT"] = "9",
            ["PGOPTIONS"] = "-c x=y",
            ["PGTARGETSESSIONATTRS"] = "read-write",
            ["PGCLIENTENCODING"] = "UTF8",
        }, environment);
    }

    [Fact]
    public void Libpq_environment_sets_only_what_was_given()
    {
        var environment = Parse("postgres://app@db/shop").LibpqEnvironment();

        Assert.Equal(["PGHOST", "PGDATABASE", "PGUSER"], environment.Keys);
    }

    [Fact]
    public void Libpq_environment_leaves_out_settings_libpq_has_no_variable_for()
    {
        var environment = Parse("host=db sslpassword=kp keepalives_idle=10 hostaddr=10.0.0.1").LibpqEnvironment();

        Assert.Equal(["PGHOST", "PGHOSTADDR"], environment.Keys);
    }

    [Fact]
    public void Libpq_environment_carries_a_socket_directory_as_pghost()
    {
        Assert.Equal("/var/run/postgresql", Parse("dbname=shop", socketDirectoryExists: true).LibpqEnvironment()["PGHOST"]);
    }
}
