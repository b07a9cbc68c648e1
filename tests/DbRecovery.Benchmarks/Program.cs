using DbRecovery.Benchmarks;

// dotnet run -c Release --project tests/DbRecovery.Benchmarks -- snapshot|alembic [runs]
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7;
switch (args.FirstOrDefault() ?? "snapshot")
{
    case "snapshot":
        await SnapshotBenchmark.RunAsync(runs);
        return 0;
    case "alembic":
        await AlembicBenchmark.RunAsync(runs);
        return 0;
    default:
        Console.Error.WriteLine("usage: DbRecovery.Benchmarks snapshot|alembic [runs]");
        return 2;
}
