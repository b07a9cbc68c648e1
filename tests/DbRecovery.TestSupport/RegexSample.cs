using System.Text;

namespace DbRecovery.TestSupport;

/// <summary>
/// Makes a string a regex matches, for property tests over rule files: the RE2 subset secret rules are written in
/// (literals, escapes, classes with ranges and negation, POSIX classes, groups of every kind, alternation, greedy and
/// lazy quantifiers, anchors). Choices are random from a seed; repetitions stay near their minimum.
/// </summary>
public sealed class RegexSample
{
    private const string Pool = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:@!#%&*";

    private readonly string _pattern;
    private readonly Random _random;
    private int _position;
    private bool _ignoreCase;

    private RegexSample(string pattern, int seed)
    {
        _pattern = pattern;
        _random = new Random(seed);
    }

    /// <summary>A string <paramref name="pattern"/> matches.</summary>
    public static string Generate(string pattern, int seed)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var sample = new RegexSample(pattern, seed);
        var text = sample.Alternation();
        return sample._position == pattern.Length
            ? text
            : throw new FormatException($"unexpected '{pattern[sample._position]}' at {sample._position} in {pattern}");
    }

    private string Alternation()
    {
        var branches = new List<string> { Sequence() };
        while (Peek('|'))
        {
            _position++;
            branches.Add(Sequence());
        }

        return branches[_random.Next(branches.Count)];
    }

    private string Sequence()
    {
        var text = new StringBuilder();
        while (_position < _pattern.Length && _pattern[_position] is not ('|' or ')'))
        {
            var start = _position;
            var atom = Atom();
            var (min, max) = Quantifier();
            if (min == 1 && max == 1)
            {
                text.Append(atom);
                continue;
            }

            var count = min + _random.Next(Math.Min(max, min + 3) - min + 1);
            for (var i = 0; i < count; i++)
            {
                // Each repetition is drawn afresh (a class gives other characters each time).
                var end = _position;
                _position = start;
                text.Append(i == 0 ? atom : Atom());
                Quantifier();
                _position = end;
            }
        }

        return text.ToString();
    }

    private string Atom()
    {
        var c = _pattern[_position++];
        switch (c)
        {
            case '(':
                return Group();
            case '[':
                return Class();
            case '\\':
                return Escape(inClass: false);
            case '.':
                return Pick(Pool).ToString();
            case '^' or '$':
                return string.Empty;
            default:
                return Case(c).ToString();
        }
    }

    private string Group()
    {
        var saved = _ignoreCase;
        if (Peek('?'))
        {
            _position++;
            if (Peek('P') || Peek('<'))
            {
                _position = _pattern.IndexOf('>', _position) + 1;
            }
            else
            {
                var flags = _position;
                while (_pattern[_position] is not (':' or ')'))
                {
                    _position++;
                }

                _ignoreCase |= _pattern[flags.._position].Contains('i', StringComparison.Ordinal);
                if (_pattern[_position++] == ')')
                {
                    return string.Empty; // (?i) sets the flag for the rest of the enclosing group
                }
            }
        }

        var text = Alternation();
        _position++; // ')'
        _ignoreCase = saved;
        return text;
    }

    private string Class()
    {
        var negated = Peek('^');
        if (negated)
        {
            _position++;
        }

        var members = new HashSet<char>();
        var first = true;
        while (first || _pattern[_position] != ']')
        {
            first = false;
            if (_pattern.AsSpan(_position).StartsWith("[:", StringComparison.Ordinal))
            {
                var end = _pattern.IndexOf(":]", _position, StringComparison.Ordinal);
                members.UnionWith(Posix(_pattern[(_position + 2)..end]));
                _position = end + 2;
                continue;
            }

            var low = _pattern[_position++];
            var set = low == '\\' ? Escape(inClass: true) : low.ToString();
            if (set.Length == 1 && Peek('-') && _pattern[_position + 1] != ']')
            {
                _position++;
                var high = _pattern[_position++];
                if (high == '\\')
                {
                    high = Escape(inClass: true)[0];
                }

                for (var x = set[0]; x <= high; x++)
                {
                    members.Add(x);
                }
            }
            else
            {
                members.UnionWith(set);
            }
        }

        _position++; // ']'
        var choices = negated ? Pool.Where(p => !members.Contains(p)).ToArray() : [.. members];
        var printable = choices.Where(ch => ch is > ' ' and < '\u007f').ToArray();
        return Case(Pick(printable.Length > 0 ? printable : choices)).ToString();
    }

    // In a class an escape stands for its set; outside, for one string it matches.
    private string Escape(bool inClass)
    {
        var c = _pattern[_position++];
        return c switch
        {
            'd' => inClass ? "0123456789" : Pick("0123456789").ToString(),
            'w' => inClass ? Pool[..63] : Pick(Pool[..62]).ToString(),
            's' => inClass ? " \t" : " ",
            'S' or 'W' or 'D' => inClass ? "xyz" : Pick("xyz").ToString(),
            'b' or 'B' or 'A' or 'z' => string.Empty,
            'n' => "\n",
            't' => "\t",
            'r' => "\r",
            'x' => ((char)Convert.ToInt32(_pattern.Substring((_position += 2) - 2, 2), 16)).ToString(),
            _ => c.ToString(),
        };
    }

    private (int Min, int Max) Quantifier()
    {
        if (_position >= _pattern.Length)
        {
            return (1, 1);
        }

        (int, int) bounds;
        switch (_pattern[_position])
        {
            case '*':
                _position++;
                bounds = (0, 3);
                break;
            case '+':
                _position++;
                bounds = (1, 4);
                break;
            case '?':
                _position++;
                bounds = (0, 1);
                break;
            case '{'
                when _pattern.IndexOf('}', _position) is var close and > 0
                    && _pattern[(_position + 1)..close] is var inside
                    && inside.Length > 0
                    && (char.IsDigit(inside[0]) || inside[0] == ','):
                _position = close + 1;
                var parts = inside.Split(',');
                var min =
                    parts[0].Length == 0 ? 0 : int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                bounds = (
                    min,
                    parts.Length == 1 ? min
                    : parts[1].Length == 0 ? min + 3
                    : int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)
                );
                break;
            default:
                return (1, 1);
        }

        if (Peek('?'))
        {
            _position++; // lazy
        }

        return bounds;
    }

    private static IEnumerable<char> Posix(string name) =>
        name switch
        {
            "alnum" => Pool[..62],
            "alpha" => Pool[..52],
            "digit" => "0123456789",
            "lower" => Pool[..26],
            "upper" => Pool[26..52],
            "xdigit" => "0123456789abcdef",
            _ => "-_.",
        };

    private bool Peek(char c) => _position < _pattern.Length && _pattern[_position] == c;

    private char Pick(IReadOnlyList<char> choices) => choices[_random.Next(choices.Count)];

    private char Pick(string choices) => choices[_random.Next(choices.Length)];

    private char Case(char c) => _ignoreCase && char.IsLetter(c) && _random.Next(4) == 0 ? char.ToUpperInvariant(c) : c;
}
