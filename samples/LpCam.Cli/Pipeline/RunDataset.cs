using LpCam.MLNet.Images;

namespace LpCam.Cli.Pipeline;

/// <summary>What the pipeline steps need of a dataset: names, class names, images, image-level labels, optional masks.</summary>
internal abstract class RunDataset
{
    public abstract string Description { get; }
    public abstract IReadOnlyList<string> ClassNames { get; }
    public abstract IReadOnlyList<string> Names { get; }
    public abstract RgbImage LoadImage(string name);

    /// <summary>The image's file, or null for an image made in memory (the synthetic scenes).</summary>
    public virtual string? ImagePath(string name) => null;

    /// <summary>The image's object classes, 0-based.</summary>
    public abstract IReadOnlyList<int> Classes(string name);

    /// <summary>The ground-truth mask (0 = background, c + 1 = class c, 255 = ignore), or null when there is none.</summary>
    public abstract (byte[] Mask, int Height, int Width)? LoadMask(string name);

    /// <summary>
    /// A digest of the image names and their labels, in order: a run folder made from another list or other labels is
    /// another run, even under the same dataset path.
    /// </summary>
    public string LabelDigest()
    {
        var text = new System.Text.StringBuilder();
        foreach (var name in Names) text.Append(name).Append(':').AppendJoin(',', Classes(name)).Append('\n');
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>How many of the dataset's images were skipped when it was opened (missing or corrupt files, reported then).</summary>
    public virtual int Skipped => 0;

    /// <summary>Whether the image has a ground-truth mask (without decoding it).</summary>
    public virtual bool HasMask(string name) => LoadMask(name) is not null;

    /// <summary>The same dataset limited to its first <paramref name="count"/> images.</summary>
    public RunDataset Take(int? count) => count is int n && n < Names.Count ? new Limited(this, n) : this;

    private sealed class Limited(RunDataset inner, int count) : RunDataset
    {
        private readonly IReadOnlyList<string> _names = inner.Names.Take(count).ToList();
        public override string Description => $"{inner.Description} (first {count})";
        public override int Skipped => inner.Skipped;
        public override IReadOnlyList<string> ClassNames => inner.ClassNames;
        public override IReadOnlyList<string> Names => _names;
        public override RgbImage LoadImage(string name) => inner.LoadImage(name);
        public override string? ImagePath(string name) => inner.ImagePath(name);
        public override IReadOnlyList<int> Classes(string name) => inner.Classes(name);
        public override (byte[] Mask, int Height, int Width)? LoadMask(string name) => inner.LoadMask(name);
        public override bool HasMask(string name) => inner.HasMask(name);
    }
}
