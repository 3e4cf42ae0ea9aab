using System.Text;

namespace Follow.Rules;

/// <summary>
/// Splits rules and pgloader command files into tokens, on demand, with 1-based line and column.
/// Connection strings are not tokens of the grammar, so the parser asks for them with <see cref="NextRaw"/>.
/// </summary>
internal sealed class RulesLexer
{
    private readonly string _text;
    private readonly List<(State Before, Token Token)> _ahead = [];
    private State _state = new(0, 1, 1, 0);

    public RulesLexer(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        _text = text;
        FileName = fileName;
        if (text.StartsWith('\uFEFF')) _state = _state with { Offset = 1 };
    }

    public string FileName { get; }

    public Token Peek(int ahead = 0)
    {
        while (_ahead.Count <= ahead)
        {
            var before = _state;
            _ahead.Add((before, Lex()));
        }
        return _ahead[ahead].Token;
    }

    public Token Next()
    {
        var token = Peek();
        _ahead.RemoveAt(0);
        return token;
    }

    /// <summary>
    /// A connection string: a quoted string, or a run of non-blank characters (a trailing ; is left as a token).
    /// At a ; or the end of the file, returns that token instead so the caller can report it.
    /// </summary>
    public Token NextRaw()
    {
        if (_ahead.Count > 0)
        {
            _state = _ahead[0].Before;
            _ahead.Clear();
        }
        SkipTrivia();
        if (AtEnd || Current == ';') return Next();
        if (Current == '\'') return Next();

        var (start, line, column, startsLine) = (_state.Offset, _state.Line, _state.Column, _state.Line > _state.LastTokenLine);
        var end = start;
        while (end < _text.Length && !char.IsWhiteSpace(_text[end])) end++;
        while (end > start + 1 && _text[end - 1] == ';') end--;
        Advance(end - start);
        _state = _state with { LastTokenLine = _state.Line };
        return new Token(TokenKind.Raw, _text[start..end], line, column, startsLine);
    }

    private readonly record struct State(int Offset, int Line, int Column, int LastTokenLine);

    private bool AtEnd => _state.Offset >= _text.Length;
    private char Current => _text[_state.Offset];
    private char At(int offset) => _state.Offset + offset < _text.Length ? _text[_state.Offset + offset] : '\0';

    private void Advance(int count = 1)
    {
        var (offset, line, column) = (_state.Offset, _state.Line, _state.Column);
        for (var i = 0; i < count && offset < _text.Length; i++, offset++)
        {
            if (_text[offset] == '\n') (line, column) = (line + 1, 1);
            else column++;
        }
        _state = _state with { Offset = offset, Line = line, Column = column };
    }

    private RulesSyntaxException Error(int line, int column, string problem) =>
        new(new SourcePosition(FileName, line, column), problem);

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            if (char.IsWhiteSpace(Current)) Advance();
            else if (Current == '-' && At(1) == '-')
            {
                while (!AtEnd && Current != '\n') Advance();
            }
            else if (Current == '/' && At(1) == '*') SkipBlockComment();
            else return;
        }
    }

    // Nested, as PostgreSQL's are.
    private void SkipBlockComment()
    {
        var (line, column) = (_state.Line, _state.Column);
        var depth = 0;
        do
        {
            if (AtEnd) throw Error(line, column, "unterminated /* comment; add the closing */");
            if (Current == '/' && At(1) == '*') { depth++; Advance(2); }
            else if (Current == '*' && At(1) == '/') { depth--; Advance(2); }
            else Advance();
        } while (depth > 0);
    }

    private Token Lex()
    {
        SkipTrivia();
        var (line, column) = (_state.Line, _state.Column);
        var startsLine = line > _state.LastTokenLine;
        var (kind, text) = AtEnd ? (TokenKind.End, "") : LexOne(line, column);
        _state = _state with { LastTokenLine = _state.Line };
        return new Token(kind, text, line, column, startsLine);
    }

    private (TokenKind, string) LexOne(int line, int column)
    {
        var c = Current;
        switch (c)
        {
            case ',': Advance(); return (TokenKind.Comma, ",");
            case '.': Advance(); return (TokenKind.Dot, ".");
            case ';': Advance(); return (TokenKind.Semicolon, ";");
            case '=': Advance(); return (TokenKind.Equals, "=");
            case '"':
                var identifier = Quoted('"', line, column, "quoted identifier");
                if (identifier.Length == 0) throw Error(line, column, "zero-length quoted identifier \"\"; write a name between the quotes");
                return (TokenKind.QuotedIdentifier, identifier);
            case '\'': return (TokenKind.String, Quoted('\'', line, column, "quoted string"));
            case '~': return (TokenKind.Regex, Regex(line, column));
            case '[': return (TokenKind.SectionHeader, SectionHeader(line, column));
            case '$' when DollarTag() is { } tag: return (TokenKind.DollarBlock, DollarBlock(tag, line, column));
        }
        if (IsWordStart(c))
        {
            var start = _state.Offset;
            while (!AtEnd && IsWordPart(Current)) Advance();
            return (TokenKind.Word, _text[start.._state.Offset]);
        }
        var length = char.IsHighSurrogate(c) && char.IsLowSurrogate(At(1)) ? 2 : 1;
        var symbol = _text.Substring(_state.Offset, length);
        Advance(length);
        return (TokenKind.Symbol, symbol);
    }

    private static bool IsWordStart(char c) => char.IsLetterOrDigit(c) || c == '_';
    private static bool IsWordPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    private string Quoted(char quote, int line, int column, string what)
    {
        var value = new StringBuilder();
        Advance();
        while (true)
        {
            if (AtEnd) throw Error(line, column, $"unterminated {what}; add the closing {quote}");
            if (Current == quote)
            {
                if (At(1) != quote) break;
                Advance();
            }
            value.Append(Current);
            Advance();
        }
        Advance();
        return value.ToString();
    }

    // pgloader reads the pattern up to the closing delimiter, without escapes; other delimiters exist for that.
    private string Regex(int line, int column)
    {
        var close = At(1) switch { '/' => '/', '<' => '>', '(' => ')', '[' => ']', '{' => '}', '|' => '|', _ => '\0' };
        if (close == '\0')
        {
            throw Error(line, column,
                "expected a regular expression after ~, such as ~/^tmp_/ (delimiters: / < ( [ { |)");
        }
        Advance(2);
        var start = _state.Offset;
        while (!AtEnd && Current != close) Advance();
        if (AtEnd) throw Error(line, column, $"unterminated regular expression; add the closing {close}");
        var pattern = _text[start.._state.Offset];
        Advance();
        return pattern;
    }

    private string SectionHeader(int line, int column)
    {
        Advance();
        var start = _state.Offset;
        while (!AtEnd && Current is not (']' or '\n')) Advance();
        if (AtEnd || Current != ']')
        {
            throw Error(line, column, "unterminated section header; add the closing ] on the same line");
        }
        var name = _text[start.._state.Offset].Trim();
        Advance();
        return name;
    }

    /// <summary>The opening $tag$ (tag possibly empty) at the current offset, or null if there is none.</summary>
    private string? DollarTag()
    {
        var end = _state.Offset + 1;
        if (end < _text.Length && (char.IsLetter(_text[end]) || _text[end] == '_'))
        {
            while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_')) end++;
        }
        return end < _text.Length && _text[end] == '$' ? _text[_state.Offset..(end + 1)] : null;
    }

    private string DollarBlock(string tag, int line, int column)
    {
        Advance(tag.Length);
        var close = _text.IndexOf(tag, _state.Offset, StringComparison.Ordinal);
        if (close < 0) throw Error(line, column, $"unterminated {tag} block; add the closing {tag}");
        var body = _text[_state.Offset..close];
        Advance(close - _state.Offset + tag.Length);
        return body;
    }
}
