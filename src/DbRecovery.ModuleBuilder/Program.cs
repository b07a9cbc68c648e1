using DbRecovery.Commands;
using DbRecovery.ModuleBuilder;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: DbRecovery.ModuleBuilder <DbRecovery.xml> <output DbRecovery.dll-Help.xml>");
    return 2;
}

var docs = XmlDocs.Load(args[0]);
var commands = CommandHelp.Collect(typeof(RecoveryCmdlet).Assembly, docs);
var missing = commands.SelectMany(c => c.Problems()).ToList();
if (missing.Count > 0)
{
    foreach (var problem in missing)
    {
        Console.Error.WriteLine($"error DBR0001: {problem}");
    }

    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
MamlWriter.Write(commands, args[1]);
Console.WriteLine($"Wrote help for {commands.Count} cmdlets to {args[1]}");
return 0;
