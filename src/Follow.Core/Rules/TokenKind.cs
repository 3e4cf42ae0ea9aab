namespace Follow.Rules;

internal enum TokenKind
{
    /// <summary>Identifier or keyword: letters, digits, _ and $, as written.</summary>
    Word,
    /// <summary>"…" with the quotes removed and "" unescaped.</summary>
    QuotedIdentifier,
    /// <summary>'…' with the quotes removed and '' unescaped.</summary>
    String,
    /// <summary>pgloader's ~/…/ (or ~&lt;…&gt;, ~(…), ~[…], ~{…}, ~|…|), the pattern only.</summary>
    Regex,
    /// <summary>$$…$$ or $tag$…$tag$, the body only.</summary>
    DollarBlock,
    /// <summary>A filter section header [name], the name only.</summary>
    SectionHeader,
    Comma,
    Dot,
    Semicolon,
    Equals,
    /// <summary>Any other single character, such as ( ) - :.</summary>
    Symbol,
    /// <summary>An unquoted connection string, read only where the parser asks for one.</summary>
    Raw,
    End,
}
