using Follow.Connections;
using Follow.Diagnostics;
using static Follow.Tests.Connections.Parsing;

namespace Follow.Tests.Connections;

/// <summary>Whatever goes wrong, a message names where and what, never the password or a piece of it.</summary>
public class PasswordSecrecyTests
{
    // Broken connection strings, each with the secret pieces its error must not show.
    public static TheoryData<string, string[]> BrokenWithSecrets => new()
    {
        { "postgres://app:Zq9!xw@db:notaport/shop", ["Zq9!xw"] },
        { "postgres://app:Zq9!xw@db/shop?sslmode=sometimes", ["Zq9!xw"] },
        { "postgres://app:Zq9!xw@db/shop?colour=blue", ["Zq9!xw"] },
        { "postgres://app:p%40ss%20w%3Ard@db/shop?sslmode=nope", ["p@ss w:rd", "p%40ss%20w%3Ard"] },
        { "postgres://app:house-7@warehouse-7:99999/shop", ["house-7"] },
        { "postgres://app:ab%zzcd@db/shop", ["ab%zzcd", "abcd"] },
        { "postgres://app:abc%00def@db/shop", ["abc", "def"] },
        { "postgres://db/shop?password=first&second", ["first", "second"] },
        { "postgres://db/shop?password=first&second=half", ["first", "second", "half"] },
        { "postgres://[::1/shop?password=Zq9!xw", ["Zq9!xw"] },
        { "host=db password=my secret", ["my", "secret"] },
        { "host=db password=my sec=ret", ["my", "sec", "ret"] },
        { "host=db password='unclosed secret", ["unclosed", "secret"] },
        { "host=db password=Zq9!xw port=none", ["Zq9!xw"] },
        { "host=db password=Zq9!xw sslmode=verify_full", ["Zq9!xw"] },
        { "host=db sslpassword=Zq9!xw connect_timeout=forever", ["Zq9!xw"] },
        { "Host=db;Password=ab;cd=ef", ["ab", "cd", "ef"] },
        { "Host=db;Password=Zq9!xw;Port=many", ["Zq9!xw"] },
        { "Host=db;Password=Zq9!xw;Timeout=5000", ["Zq9!xw", "5000"] },
        { "Host=db;Password=\"Zq9!xw", ["Zq9!xw"] },
        { "Host=db;Password=Zq9!xw;SSL Mode=sometimes", ["Zq9!xw", "sometimes"] },
        { "app:Zq9!xw@db/shop", ["Zq9!xw"] },
        { "Zq9!xw", ["Zq9!xw"] },
    };

    [Theory]
    [MemberData(nameof(BrokenWithSecrets))]
    public void A_parse_error_names_the_origin_but_never_the_password(string text, string[] secrets)
    {
        var error = Assert.Throws<BadInputException>(() => ConnectionInfo.Parse(text, "rules.load: from", _ => false));

        Assert.StartsWith("rules.load: from: ", error.Message);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, error.Message);
        }
        // Library messages repeat values, so none is kept as the cause.
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void A_word_after_an_unquoted_password_is_explained_without_showing_it()
    {
        var message = ErrorFrom("host=db password=my secret");

        Assert.Contains("quote it: password='...'", message);
    }

    public static TheoryData<string, string> ParsedWithSecrets => new()
    {
        { "postgres://app:Zq9!xw@db/shop", "Zq9!xw" },
        { "postgres://app:p%40ss%20w%3Ard@db/shop", "p@ss w:rd" },
        { "postgres://app:p%40ss%20w%3Ard@db/shop", "p%40ss%20w%3Ard" },
        { "postgres://db/shop?password=Zq9!xw&user=app", "Zq9!xw" },
        { "pgsql://app:p@@ss@db/shop", "p@ss" },
        { "host=db user=app password='it\\'s secret'", "it's secret" },
        { "host=db user=app sslpassword=Zq9!xw sslkey=/k", "Zq9!xw" },
        { "Host=db;Username=app;Password=Zq9!xw;Pooling=false", "Zq9!xw" },
    };

    [Theory]
    [MemberData(nameof(ParsedWithSecrets))]
    public void The_display_form_never_shows_the_password(string text, string secret)
    {
        var info = Parse(text);

        Assert.DoesNotContain(secret, info.Redacted);
        Assert.DoesNotContain(secret, info.ToString());
        Assert.DoesNotContain(Uri.EscapeDataString(secret), info.Redacted);
    }

    [Fact]
    public void A_password_that_is_part_of_the_host_name_still_leaves_the_host_whole_in_the_display_form()
    {
        var info = Parse("postgres://app:house-7@warehouse-7/shop");

        Assert.Equal("postgres://app@warehouse-7/shop", info.Redacted);
    }

    [Fact]
    public void The_password_is_there_for_npgsql_and_child_processes()
    {
        var info = Parse("postgres://app:Zq9!xw@db/shop");

        Assert.Equal("Zq9!xw", info.ToNpgsqlBuilder().Password);
        Assert.Equal("Zq9!xw", info.LibpqEnvironment()["PGPASSWORD"]);
        Assert.True(info.HasPassword);
    }
}
