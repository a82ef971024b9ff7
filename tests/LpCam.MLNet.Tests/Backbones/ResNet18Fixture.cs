using LpCam.MLNet.Backbones;

namespace LpCam.MLNet.Tests.Backbones;

/// <summary>The rewritten ResNet-18 at output strides 32 and 16, built once for the backbone tests.</summary>
public sealed class ResNet18Fixture : IDisposable
{
    /// <summary>Output stride 32.</summary>
    public OnnxBackbone Os32 { get; } = Backbone.ResNet18(32);

    /// <summary>Output stride 16 (dilated last stage).</summary>
    public OnnxBackbone Os16 { get; } = Backbone.ResNet18(16);

    /// <inheritdoc/>
    public void Dispose()
    {
        Os32.Dispose();
        Os16.Dispose();
    }
}

/// <summary>Shares one <see cref="ResNet18Fixture"/> across the backbone test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "ResNet-18 backbones";
}
