using LpCam.Cli;

return await CliApp.RunAsync(args);
