using System.Globalization;
using DbRecovery.Benchmarks;

// dotnet run -c Release --project tests/DbRecovery.Benchmarks -- snapshot|alembic [runs] | backup|recovery [scale] |
// conversion [scale] [uuid|integer] | conversion-workload [scale, default 0.2 then 1] [uuid|integer] | corpus |
// secrets [gigabytes]
var argument = args.Length > 1 && args[1] != "-" ? args[1] : null;
var kinds = args.Length > 2 ? [KeyKind.Parse(args[2])] : KeyKind.All;
switch (args.FirstOrDefault() ?? "snapshot")
{
    case "snapshot":
        await SnapshotBenchmark.RunAsync(argument is null ? 7 : int.Parse(argument, CultureInfo.InvariantCulture));
        return 0;
    case "alembic":
        await AlembicBenchmark.RunAsync(argument is null ? 5 : int.Parse(argument, CultureInfo.InvariantCulture));
        return 0;
    case "conversion":
        foreach (var kind in kinds)
        {
            await ConversionBenchmark.RunAsync(
                argument is null ? 1.0 : double.Parse(argument, CultureInfo.InvariantCulture),
                kind
            );
        }

        return 0;
    case "conversion-workload":
        foreach (
            var scale in argument is null ? [0.2, 1.0] : new[] { double.Parse(argument, CultureInfo.InvariantCulture) }
        )
        {
            foreach (var kind in kinds)
            {
                await ConversionWorkloadBenchmark.RunAsync(scale, kind);
            }
        }

        return 0;
    case "backup":
        await BackupBenchmark.RunAsync(argument is null ? 1.0 : double.Parse(argument, CultureInfo.InvariantCulture));
        return 0;
    case "recovery":
        await RecoveryBenchmark.RunAsync(
            argument is null ? 1.0 : double.Parse(argument, CultureInfo.InvariantCulture),
            5
        );
        return 0;
    case "corpus":
        await CorpusBenchmark.RunAsync();
        return 0;
    case "secrets":
        SecretScanBenchmark.Run(argument is null ? 1.0 : double.Parse(argument, CultureInfo.InvariantCulture));
        return 0;
    default:
        Console.Error.WriteLine(
            "usage: DbRecovery.Benchmarks snapshot|alembic [runs] | backup|recovery [scale] | conversion [scale] "
                + "[uuid|integer] | conversion-workload [scale, default 0.2 then 1, - for both] [uuid|integer] | "
                + "corpus | secrets [gigabytes]"
        );
        return 2;
}
