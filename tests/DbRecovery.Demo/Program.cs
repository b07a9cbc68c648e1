using DbRecovery.Demo;

return await IncidentDemo.RunAsync(output: null);
