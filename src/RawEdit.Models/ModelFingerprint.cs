using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace RawEdit.Models;

/// <summary>SHA-256 over every parameter's name, shape and fp32 values: identifies the exact weights a cache was made from.</summary>
internal static class ModelFingerprint
{
    public static string Compute(ICausalLanguageModel model)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in model.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{name}:{string.Join(",", tensor.Shape)};"));
            sha.AppendData(MemoryMarshal.AsBytes(tensor.ToFloatArray().AsSpan()));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    public static string OfText(IEnumerable<string> lines)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines) sha.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
