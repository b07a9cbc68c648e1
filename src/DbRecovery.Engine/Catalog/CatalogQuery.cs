using System.Data.Common;

namespace DbRecovery.Engine.Catalog;

/// <summary>One catalog query of a snapshot and what to do with each of its rows.</summary>
/// <param name="Sql">The query.</param>
/// <param name="Read">Reads one row.</param>
/// <param name="OnHelper">Whether it runs on the helper connection when the snapshot is read in parallel.</param>
internal sealed record CatalogQuery(string Sql, Action<DbDataReader> Read, bool OnHelper);
