namespace RawEdit.Models.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ character mapping (<c>bytes_to_unicode</c> in the original encoder).
/// Vocabulary entries are spelled with these characters so that every byte has a visible,
/// non-whitespace stand-in: printable Latin-1 bytes map to themselves, the remaining 68 bytes
/// (controls, space, DEL, NBSP, soft hyphen…) map in ascending order to U+0100, U+0101, …
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = BuildCharOfByte();
    private static readonly short[] ByteOfChar = BuildByteOfChar();

    /// <summary>The vocabulary character standing for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => CharOfByte[value];

    /// <summary>The byte a vocabulary character stands for; false when the character is not in the alphabet.</summary>
    public static bool TryGetByte(char c, out byte value)
    {
        if (c < ByteOfChar.Length && ByteOfChar[c] >= 0)
        {
            value = (byte)ByteOfChar[c];
            return true;
        }
        value = 0;
        return false;
    }

    private static bool MapsToItself(int b) =>
        b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

    private static char[] BuildCharOfByte()
    {
        var chars = new char[256];
        int nextShifted = 256;
        for (int b = 0; b < 256; b++)
            chars[b] = MapsToItself(b) ? (char)b : (char)nextShifted++;
        return chars;
    }

    private static short[] BuildByteOfChar()
    {
        var bytes = new short[256 + 68];
        Array.Fill(bytes, (short)-1);
        for (int b = 0; b < 256; b++)
            bytes[CharOfByte[b]] = (short)b;
        return bytes;
    }
}
