// Packed GEMM panels kept with the weight they were packed from, so that a weight used again and again
// (a linear layer's W, the LM head's wteᵀ) is packed once instead of on every product.
//
// Shape legend (row-major, fp32): C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, where B is the
// cached operand; its packed form is the whole op(B) in the kernel's B-panel layout (GemmBlocked: k block
// pc at + pc·nPad, columns jc.. of it at + jc·kc), for one kernel path, trans flag, ldb, k and n.
//
// Validity: an entry records the storage's write count (CpuStorage.Version) when it was made; a product
// that finds a different count drops the panels (an edit, an optimizer step, a copy into the weight, a read
// of CpuStorage.Data). A layout is packed only when seen twice at the same count, so operands used once
// (activations, weights that change every training step) never pay for packing. The panels of all storages
// together stay within BudgetBytes; an entry that does not fit is simply not cached. Panels are freed when
// dropped or when their storage is collected.

using System.Runtime.InteropServices;

namespace RawEdit.Tensors.Cpu;

internal static unsafe class PackedWeightCache
{
    /// <summary>Smallest op(B) (k · n floats) worth caching: below it packing is cheap next to the product.</summary>
    public const long MinFloats = 1 << 16;

    /// <summary>Layouts remembered per storage (W and Wᵀ for forward and backward, with room for a second kernel path).</summary>
    private const int MaxEntriesPerStorage = 4;

    private static long s_usedBytes;

    /// <summary>Bytes of packed panels in use across all storages.</summary>
    public static long UsedBytes => Interlocked.Read(ref s_usedBytes);

    /// <summary>Bytes of packed panels held for one storage.</summary>
    public static long HeldBytes(CpuStorage<float> storage)
    {
        Entries entries = storage.PackedPanels;
        lock (entries) return entries.HeldBytes;
    }

    /// <summary>
    /// Runs the product with op(B) from the cache when it applies (m, n ≥ 2, a packed kernel path, op(B) large
    /// enough and its layout already seen at this write count); returns false, having done nothing, otherwise.
    /// </summary>
    public static bool TryRun(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, CpuStorage<float> b, int ldb, float beta, float[] c, int ldc)
    {
        GemmKernelPath path = CpuGemm.KernelPath;
        if (CpuGemm.PackedWeightCacheBytes == 0 || path == GemmKernelPath.Reference) return false;
        if (m < 2 || n < 2 || k == 0 || alpha == 0f || (long)k * n < MinFloats) return false;

        var key = new Layout(path, transB, ldb, k, n);
        float* panels = Find(b, key);
        if (panels == null) return false;
        fixed (float* pa = a, pc = c)
            CpuGemm.SgemmPackedB(transA, transB, m, n, k, alpha, pa, lda, panels, ldb, key.Path, beta, pc, ldc);
        GC.KeepAlive(b); // the panels live as long as the storage's entry list
        return true;
    }

    /// <summary>Packed panels of op(B) for this layout, packing them now if the layout was seen before at this write count.</summary>
    private static float* Find(CpuStorage<float> storage, Layout key)
    {
        int version = storage.Version;
        Entries entries = storage.PackedPanels;
        lock (entries)
        {
            Panels? entry = entries.Find(key);
            if (entry is null)
            {
                entries.Add(new Panels(key, version), MaxEntriesPerStorage);
                return null;
            }
            if (entry.Version != version)
            {
                entry.Reset(version);   // the weight changed: forget the old panels, remember this sighting
                return null;
            }
            if (entry.Data == null && !entry.TryPack(storage)) return null;
            return entry.Data;
        }
    }

    internal readonly record struct Layout(GemmKernelPath Path, bool TransB, int Ldb, int K, int N);

    /// <summary>The layouts remembered for one storage, oldest first.</summary>
    internal sealed class Entries
    {
        private readonly List<Panels> _items = new();

        public Panels? Find(Layout key) => _items.Find(p => p.Key == key);

        public long HeldBytes => _items.Sum(p => p.Bytes);

        public void Add(Panels entry, int capacity)
        {
            if (_items.Count == capacity)
            {
                _items[0].Reset(-1);
                _items.RemoveAt(0);
            }
            _items.Add(entry);
        }
    }

    /// <summary>One packed op(B) in native, 64-byte aligned memory (or only the record of a sighting).</summary>
    internal sealed class Panels(Layout key, int version)
    {
        public Layout Key { get; } = key;
        public int Version { get; private set; } = version;
        public float* Data { get; private set; }
        public long Bytes => _bytes;
        private long _bytes;

        public bool TryPack(CpuStorage<float> storage)
        {
            long floats = Key.Path == GemmKernelPath.Avx512
                ? CpuGemm.PackedBFloats<Avx512Kernel>(Key.K, Key.N)
                : CpuGemm.PackedBFloats<Avx2Kernel>(Key.K, Key.N);
            long bytes = floats * sizeof(float);
            if (Interlocked.Add(ref s_usedBytes, bytes) > CpuGemm.PackedWeightCacheBytes)
            {
                Interlocked.Add(ref s_usedBytes, -bytes);
                return false;
            }
            var data = (float*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            fixed (float* b = storage.Values)
                CpuGemm.PackWholeB(Key.Path, Key.TransB, b, Key.Ldb, Key.K, Key.N, data);
            Data = data;
            _bytes = bytes;
            return true;
        }

        public void Reset(int version)
        {
            Free();
            Version = version;
        }

        private void Free()
        {
            if (Data == null) return;
            NativeMemory.AlignedFree(Data);
            Data = null;
            Interlocked.Add(ref s_usedBytes, -_bytes);
            _bytes = 0;
        }

        ~Panels() => Free();
    }
}
