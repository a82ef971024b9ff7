using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Results go under out/ (ignored by git), like every output of the repository's programs.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
    .Run(args, DefaultConfig.Instance.WithArtifactsPath(Path.Combine("out", "BenchmarkDotNet.Artifacts")));
