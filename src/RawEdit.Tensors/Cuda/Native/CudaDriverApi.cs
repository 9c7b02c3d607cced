using System.Runtime.InteropServices;

namespace RawEdit.Tensors.Cuda.Native;

/// <summary>
/// The parts of the CUDA driver API (libcuda, cuda.h) RawEdit calls, as unmanaged function pointers resolved once.
/// Every function returns a CUresult (0 = CUDA_SUCCESS); <see cref="Check"/> turns the others into
/// <see cref="CudaException"/> with the driver's own name and description. Device pointers are CUdeviceptr (u64).
/// </summary>
internal sealed unsafe class CudaDriverApi
{
    public const int DeviceAttributeMultiprocessorCount = 16;
    public const int DeviceAttributeComputeCapabilityMajor = 75;
    public const int DeviceAttributeComputeCapabilityMinor = 76;
    public const int DeviceAttributeMaxSharedMemoryPerBlockOptin = 97;
    public const int FunctionAttributeMaxDynamicSharedSizeBytes = 8;

    public readonly delegate* unmanaged<uint, int> cuInit;
    public readonly delegate* unmanaged<int*, int> cuDriverGetVersion;
    public readonly delegate* unmanaged<int*, int> cuDeviceGetCount;
    public readonly delegate* unmanaged<int*, int, int> cuDeviceGet;
    public readonly delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    public readonly delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    public readonly delegate* unmanaged<nuint*, int, int> cuDeviceTotalMem;
    public readonly delegate* unmanaged<nint*, int, int> cuDevicePrimaryCtxRetain;
    public readonly delegate* unmanaged<nint, int> cuCtxSetCurrent;
    public readonly delegate* unmanaged<int> cuCtxSynchronize;
    public readonly delegate* unmanaged<nuint*, nuint*, int> cuMemGetInfo;
    public readonly delegate* unmanaged<ulong*, nuint, int> cuMemAlloc;
    public readonly delegate* unmanaged<ulong, int> cuMemFree;
    public readonly delegate* unmanaged<ulong, void*, nuint, int> cuMemcpyHtoD;
    public readonly delegate* unmanaged<void*, ulong, nuint, int> cuMemcpyDtoH;
    public readonly delegate* unmanaged<ulong, ulong, nuint, int> cuMemcpyDtoD;
    public readonly delegate* unmanaged<ulong, byte, nuint, int> cuMemsetD8;
    public readonly delegate* unmanaged<nint*, void*, int> cuModuleLoadData;
    public readonly delegate* unmanaged<nint*, nint, byte*, int> cuModuleGetFunction;
    public readonly delegate* unmanaged<nint, int, int, int> cuFuncSetAttribute;
    public readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> cuLaunchKernel;
    public readonly delegate* unmanaged<nint*, uint, int> cuEventCreate;
    public readonly delegate* unmanaged<nint, nint, int> cuEventRecord;
    public readonly delegate* unmanaged<nint, int> cuEventSynchronize;
    public readonly delegate* unmanaged<float*, nint, nint, int> cuEventElapsedTime;
    public readonly delegate* unmanaged<nint, int> cuEventDestroy;
    public readonly delegate* unmanaged<int, byte**, int> cuGetErrorName;
    public readonly delegate* unmanaged<int, byte**, int> cuGetErrorString;

    private CudaDriverApi(nint lib)
    {
        nint E(string symbol) => NativeLibraries.Export(lib, "libcuda", symbol);
        cuInit = (delegate* unmanaged<uint, int>)E("cuInit");
        cuDriverGetVersion = (delegate* unmanaged<int*, int>)E("cuDriverGetVersion");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)E("cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)E("cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)E("cuDeviceGetName");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)E("cuDeviceGetAttribute");
        cuDeviceTotalMem = (delegate* unmanaged<nuint*, int, int>)E("cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)E("cuDevicePrimaryCtxRetain");
        cuCtxSetCurrent = (delegate* unmanaged<nint, int>)E("cuCtxSetCurrent");
        cuCtxSynchronize = (delegate* unmanaged<int>)E("cuCtxSynchronize");
        cuMemGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)E("cuMemGetInfo_v2");
        cuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)E("cuMemAlloc_v2");
        cuMemFree = (delegate* unmanaged<ulong, int>)E("cuMemFree_v2");
        cuMemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)E("cuMemcpyHtoD_v2");
        cuMemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)E("cuMemcpyDtoH_v2");
        cuMemcpyDtoD = (delegate* unmanaged<ulong, ulong, nuint, int>)E("cuMemcpyDtoD_v2");
        cuMemsetD8 = (delegate* unmanaged<ulong, byte, nuint, int>)E("cuMemsetD8_v2");
        cuModuleLoadData = (delegate* unmanaged<nint*, void*, int>)E("cuModuleLoadData");
        cuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)E("cuModuleGetFunction");
        cuFuncSetAttribute = (delegate* unmanaged<nint, int, int, int>)E("cuFuncSetAttribute");
        cuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)E("cuLaunchKernel");
        cuEventCreate = (delegate* unmanaged<nint*, uint, int>)E("cuEventCreate");
        cuEventRecord = (delegate* unmanaged<nint, nint, int>)E("cuEventRecord");
        cuEventSynchronize = (delegate* unmanaged<nint, int>)E("cuEventSynchronize");
        cuEventElapsedTime = (delegate* unmanaged<float*, nint, nint, int>)E("cuEventElapsedTime");
        cuEventDestroy = (delegate* unmanaged<nint, int>)E("cuEventDestroy_v2");
        cuGetErrorName = (delegate* unmanaged<int, byte**, int>)E("cuGetErrorName");
        cuGetErrorString = (delegate* unmanaged<int, byte**, int>)E("cuGetErrorString");
    }

    /// <summary>The driver library (libcuda.so.1 as the NVIDIA driver installs it), or null and why not.</summary>
    public static CudaDriverApi? TryLoad(out string? reason) =>
        NativeLibraries.TryBind(["libcuda.so.1", "libcuda.so", "nvcuda.dll"], lib => new CudaDriverApi(lib),
            tried => $"no CUDA driver library ({tried} not found)", out reason);

    /// <summary>Throws for any result but CUDA_SUCCESS, naming the call.</summary>
    public void Check(int result, string call)
    {
        if (result != 0) throw new CudaException(call, result, Describe(result));
    }

    public string Describe(int result)
    {
        byte* name = null, text = null;
        string n = cuGetErrorName(result, &name) == 0 && name != null ? Marshal.PtrToStringUTF8((nint)name)! : $"CUresult {result}";
        string t = cuGetErrorString(result, &text) == 0 && text != null ? Marshal.PtrToStringUTF8((nint)text)! : "unknown error";
        return $"{n}: {t}";
    }
}

/// <summary>A CUDA driver or NVRTC call that failed: the call, the code and the library's description.</summary>
public sealed class CudaException(string call, int code, string description)
    : InvalidOperationException($"{call} failed with {description}")
{
    public string Call { get; } = call;
    public int Code { get; } = code;
}
