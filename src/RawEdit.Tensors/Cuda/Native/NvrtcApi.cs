using System.Runtime.InteropServices;

namespace RawEdit.Tensors.Cuda.Native;

/// <summary>
/// NVRTC (runtime compilation of CUDA C++ to PTX), as unmanaged function pointers. Found as libnvrtc.so from the
/// CUDA toolkit (12.x or 11.x names), or the copy PyTorch's wheels ship (nvidia/cuda_nvrtc/lib) when
/// RAWEDIT_NVRTC names its path.
/// </summary>
internal sealed unsafe class NvrtcApi
{
    public const string PathVariable = "RAWEDIT_NVRTC";

    public readonly delegate* unmanaged<int*, int*, int> nvrtcVersion;
    public readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    public readonly delegate* unmanaged<nint, int, byte**, int> nvrtcCompileProgram;
    public readonly delegate* unmanaged<nint, nuint*, int> nvrtcGetProgramLogSize;
    public readonly delegate* unmanaged<nint, byte*, int> nvrtcGetProgramLog;
    public readonly delegate* unmanaged<nint, nuint*, int> nvrtcGetPTXSize;
    public readonly delegate* unmanaged<nint, byte*, int> nvrtcGetPTX;
    public readonly delegate* unmanaged<nint*, int> nvrtcDestroyProgram;
    public readonly delegate* unmanaged<int, byte*> nvrtcGetErrorString;

    private NvrtcApi(nint lib)
    {
        nint E(string symbol) => NativeLibraries.Export(lib, "libnvrtc", symbol);
        nvrtcVersion = (delegate* unmanaged<int*, int*, int>)E("nvrtcVersion");
        nvrtcCreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)E("nvrtcCreateProgram");
        nvrtcCompileProgram = (delegate* unmanaged<nint, int, byte**, int>)E("nvrtcCompileProgram");
        nvrtcGetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)E("nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = (delegate* unmanaged<nint, byte*, int>)E("nvrtcGetProgramLog");
        nvrtcGetPTXSize = (delegate* unmanaged<nint, nuint*, int>)E("nvrtcGetPTXSize");
        nvrtcGetPTX = (delegate* unmanaged<nint, byte*, int>)E("nvrtcGetPTX");
        nvrtcDestroyProgram = (delegate* unmanaged<nint*, int>)E("nvrtcDestroyProgram");
        nvrtcGetErrorString = (delegate* unmanaged<int, byte*>)E("nvrtcGetErrorString");
    }

    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path) yield return path;
        foreach (var name in new[] { "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" }) yield return name;
        foreach (var dir in new[] { "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib" })
            yield return Path.Combine(dir, "libnvrtc.so");
    }

    public static NvrtcApi? TryLoad(out string? reason) =>
        NativeLibraries.TryBind(Candidates(), lib => new NvrtcApi(lib),
            tried => $"no NVRTC library ({tried} not found; set {PathVariable} to its path)", out reason);

    public (int Major, int Minor) Version()
    {
        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        return (major, minor);
    }

    /// <summary>PTX for <paramref name="source"/>, or a <see cref="CudaException"/> carrying the compiler's log.</summary>
    public string CompileToPtx(string source, string name, IReadOnlyList<string> options)
    {
        nint program;
        var sourceBytes = NullTerminated(source);
        var nameBytes = NullTerminated(name);
        fixed (byte* s = sourceBytes, n = nameBytes)
            Check(nvrtcCreateProgram(&program, s, n, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var optionBytes = options.Select(NullTerminated).ToArray();
            var handles = optionBytes.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = stackalloc byte*[Math.Max(1, options.Count)];
                for (int i = 0; i < options.Count; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                int result = nvrtcCompileProgram(program, options.Count, pointers);
                if (result != 0)
                    throw new CudaException($"nvrtcCompileProgram({name}, {string.Join(' ', options)})", result, $"{ErrorString(result)}\n{Log(program)}");
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            nuint size;
            Check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize");
            var ptx = new byte[size];
            fixed (byte* p = ptx) Check(nvrtcGetPTX(program, p), "nvrtcGetPTX");
            return System.Text.Encoding.ASCII.GetString(ptx, 0, Math.Max(0, (int)size - 1));   // without the trailing NUL
        }
        finally
        {
            nvrtcDestroyProgram(&program);
        }
    }

    private string Log(nint program)
    {
        nuint size;
        if (nvrtcGetProgramLogSize(program, &size) != 0 || size <= 1) return "";
        var log = new byte[size];
        fixed (byte* p = log) nvrtcGetProgramLog(program, p);
        return System.Text.Encoding.UTF8.GetString(log, 0, (int)size - 1);
    }

    private string ErrorString(int result) => Marshal.PtrToStringUTF8((nint)nvrtcGetErrorString(result)) ?? $"nvrtcResult {result}";

    private void Check(int result, string call)
    {
        if (result != 0) throw new CudaException(call, result, ErrorString(result));
    }

    private static byte[] NullTerminated(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");
}
