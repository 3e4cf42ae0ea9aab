using Follow.Diagnostics;

namespace Follow.Rules;

/// <summary>
/// Reads Follow's rules, in pgloader's syntax, from a rules file or a pgloader <c>load database</c> command file.
/// The format is told by content: a file whose first token is <c>load</c> is a command file.
/// </summary>
public static class RulesParser
{
    /// <exception cref="RulesSyntaxException">The text is not valid; the message starts with file:line:column.</exception>
    public static RuleSet Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var lexer = new RulesLexer(text, fileName);
        return lexer.Peek().IsWord("load") ? LoadCommandParser.Parse(lexer) : RulesFileParser.Parse(lexer);
    }

    /// <summary>Reads a file; messages name it by <paramref name="path"/> as given.</summary>
    public static RuleSet ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadInputException($"{path}: the rules file does not exist; check the path", e);
        }
        return Parse(text, path);
    }
}
