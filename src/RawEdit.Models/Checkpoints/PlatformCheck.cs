namespace RawEdit.Models.Checkpoints;

/// <summary>Safetensors data is little-endian and is reinterpreted in place, so big-endian hosts are refused.</summary>
internal static class PlatformCheck
{
    private static readonly bool IsSupported = BitConverter.IsLittleEndian;

    public static void RequireLittleEndian()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("Safetensors checkpoints require a little-endian host.");
        }
    }
}
