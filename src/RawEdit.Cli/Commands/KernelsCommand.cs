using System.CommandLine;
using System.Diagnostics;
using RawEdit.Tensors.Gpu;
using Spectre.Console;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit kernels --ptx sm_80|sm_90 --out DIR</c>: compiles every kernel specialisation the GPU backend launches to
/// PTX (no GPU needed), writes DIR/NAME.ptx for each and prints a table of what the text shows.
/// </summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--ptx") { Description = "The GPU architecture to compile for", Required = true };
        target.AcceptOnlyFromAmong(KernelPtx.Targets);
        var output = new Option<string>("--out") { Description = "The folder to write one NAME.ptx per kernel into", Required = true };
        var command = new Command("kernels", "Compile every GPU kernel to PTX and show registers, memory and tensor-core instructions per kernel")
        {
            target, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string folder = parse.GetValue(output)!, arch = parse.GetValue(target)!;
            Directory.CreateDirectory(folder);
            var clock = Stopwatch.StartNew();
            var compiled = KernelPtx.Compile(arch);
            foreach (var kernel in compiled) File.WriteAllText(Path.Combine(folder, kernel.Kernel.Name + ".ptx"), kernel.Assembly);
            WriteTable(compiled, arch, folder, clock.Elapsed);
            return 0;
        }));
        return command;
    }

    private static void WriteTable(IReadOnlyList<CompiledPtx> compiled, string arch, string folder, TimeSpan elapsed)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 140;   // a pipe has no width; keep one row per kernel
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("kernel").AddColumn("family").AddColumn(new TableColumn("PTX bytes").RightAligned())
            .AddColumn(new TableColumn("registers").RightAligned()).AddColumn(new TableColumn("shared bytes").RightAligned())
            .AddColumn(new TableColumn("local bytes").RightAligned()).AddColumn(new TableColumn("st.local").RightAligned())
            .AddColumn(new TableColumn("mma.sync").RightAligned());
        foreach (var (kernel, facts) in compiled.Select(c => (c.Kernel, c.Facts)))
            table.AddRow(kernel.Name, kernel.Family, $"{facts.Bytes:N0}", $"{facts.Registers}",
                facts.DynamicShared ? "dynamic" : $"{facts.SharedBytes:N0}", $"{facts.LocalBytes}", $"{facts.LocalStores}", $"{facts.MmaSync}");
        console.Write(table);
        var headers = string.Join(", ", compiled.Select(c => $".version {c.Facts.Version}, .target {c.Facts.Target}").Distinct());
        Console.Out.WriteLine($"{compiled.Count} kernels compiled to PTX for {arch} in {elapsed.TotalSeconds:F1} s, written to {folder} ({headers})");
        Console.Out.WriteLine("registers: the virtual registers the text declares; ptxas allocates the real ones when the driver loads it on a GPU");
    }
}
