using System.Text.Json;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Where and how often <see cref="FineTuner.Train"/> saves its state, so that an interrupted fine-tune continues from the
/// last checkpoint instead of from the start.
/// </summary>
/// <remarks>
/// <para>A checkpoint is three files in <see cref="Folder"/>: <c>checkpoint-STEP.weights</c> (the network's parameters and
/// buffers, TorchSharp's format), <c>checkpoint-STEP.head.npz</c> (the head, C x D) and <c>checkpoint.json</c> (the
/// steps done, their losses and the fingerprint). Each is written atomically and <c>checkpoint.json</c> last, so a kill
/// at any moment leaves the previous checkpoint readable; older weight files are deleted after it.</para>
/// <para>Resuming is exact: the shuffling of each epoch and the augmentation of each step are drawn from generators seeded
/// by the seed and the epoch or step, so steps after a resume see the same crops as an uninterrupted run.</para>
/// </remarks>
/// <param name="Folder">The folder of the checkpoint files (created when needed).</param>
/// <param name="Fingerprint">What the training data is (for example the image names and labels, hashed); a checkpoint
/// made with another fingerprint or other options is refused rather than continued.</param>
/// <param name="EverySteps">Save after every this many steps (and at the end of each epoch and of the run).</param>
public sealed record FineTuningCheckpoints(string Folder, string Fingerprint, int EverySteps = FineTuningCheckpoints.DefaultEverySteps)
{
    /// <summary>Default of <see cref="EverySteps"/>.</summary>
    public const int DefaultEverySteps = 10;

    /// <summary>Name of the checkpoint's record in <see cref="Folder"/>.</summary>
    public const string RecordFile = "checkpoint.json";

    /// <summary>Path of the checkpoint's record.</summary>
    public string RecordPath => Path.Combine(Folder, RecordFile);

    internal string WeightsPath(int steps) => Path.Combine(Folder, $"checkpoint-{steps:D6}.weights");

    internal string HeadPath(int steps) => Path.Combine(Folder, $"checkpoint-{steps:D6}.head.npz");

    /// <summary>Checks the arguments; throws naming the bad one.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Folder, nameof(Folder));
        ArgumentNullException.ThrowIfNull(Fingerprint, nameof(Fingerprint));
        if (EverySteps < 1) throw new ArgumentOutOfRangeException(nameof(EverySteps), EverySteps, "EverySteps must be at least 1.");
    }

    /// <summary>The record of the last checkpoint, or null when the folder has none.</summary>
    /// <exception cref="InvalidDataException">The record or its files are unreadable or missing.</exception>
    internal CheckpointRecord? Read()
    {
        if (!File.Exists(RecordPath)) return null;
        CheckpointRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<CheckpointRecord>(File.ReadAllText(RecordPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The fine-tuning checkpoint '{RecordPath}' is not readable JSON ({e.Message}); delete the folder '{Folder}' to start again.", e);
        }
        if (record is null || record.Steps is null || record.Steps.Count != record.StepsDone || record.Fingerprint is null || record.Options is null)
            throw new InvalidDataException($"The fine-tuning checkpoint '{RecordPath}' is incomplete; delete the folder '{Folder}' to start again.");
        foreach (var path in new[] { WeightsPath(record.StepsDone), HeadPath(record.StepsDone) })
            if (!File.Exists(path))
                throw new InvalidDataException($"The fine-tuning checkpoint '{RecordPath}' names step {record.StepsDone}, but '{path}' is missing; delete the folder '{Folder}' to start again.");
        return record;
    }

    /// <summary>Writes the record (after the weights and head files) and deletes the files of older checkpoints.</summary>
    internal void Write(CheckpointRecord record)
    {
        AtomicFile.WriteAllBytes(RecordPath, JsonSerializer.SerializeToUtf8Bytes(record, new JsonSerializerOptions { WriteIndented = true }));
        string keepWeights = Path.GetFileName(WeightsPath(record.StepsDone)), keepHead = Path.GetFileName(HeadPath(record.StepsDone));
        foreach (var old in Directory.EnumerateFiles(Folder, "checkpoint-*"))
        {
            string name = Path.GetFileName(old);
            if (name != keepWeights && name != keepHead && !name.Contains(".tmp-", StringComparison.Ordinal)) File.Delete(old);
        }
    }
}

/// <summary>The contents of <c>checkpoint.json</c>.</summary>
/// <param name="Fingerprint">The caller's fingerprint of the data.</param>
/// <param name="Options">The recipe's description (<see cref="FineTuningOptions.Describe"/>).</param>
/// <param name="StepsDone">Steps done.</param>
/// <param name="Steps">Every step done, in order.</param>
internal sealed record CheckpointRecord(string Fingerprint, string Options, int StepsDone, IReadOnlyList<FineTuningStep> Steps);
