using System.Text.Json;

namespace RawEdit.Cli;

/// <summary>Turns failures into one clear line on stderr and a non-zero exit code.</summary>
public static class CliErrors
{
    public const int Failure = 1;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                                   or JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            Console.Error.WriteLine($"rawedit: error: {e.Message}");
            return Failure;
        }
    }
}
