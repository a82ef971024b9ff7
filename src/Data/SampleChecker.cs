namespace LpCam.MLNet.Data;

/// <summary>
/// Checks the files of each listed sample (image, labels, mask) and assembles a <see cref="SegmentationDataset"/>; shared by
/// the VOC and CSV readers so both report problems the same way.
/// </summary>
internal static class SampleChecker
{
    /// <summary>Labels of one sample: the 0-based ids, or the file and problem that make them unusable.</summary>
    public delegate (IReadOnlyList<int>? Ids, string File, string? Problem) LabelSource(string name);

    public static SegmentationDataset Build(
        IReadOnlyList<string> classNames,
        IReadOnlyList<string> names,
        string imageFolder,
        string? maskFolder,
        LabelSource labels,
        DatasetReadOptions options,
        IEnumerable<DatasetIssue> listIssues)
    {
        var outcomes = new SampleOutcome[names.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) };
        Parallel.For(0, names.Count, parallel, i => outcomes[i] = Check(names[i], imageFolder, maskFolder, labels, classNames, options.VerifyPixels));

        var issues = new List<DatasetIssue>(listIssues);
        if (options.StopOnError && issues.FirstOrDefault(i => i.Severity == DatasetIssueSeverity.Error) is { } listError)
            throw new DatasetException(listError);
        var samples = new List<SegmentationSample>(names.Count);
        foreach (var outcome in outcomes)
        {
            if (options.StopOnError && outcome.HasErrors)
                throw new DatasetException(outcome.Issues.First(i => i.Severity == DatasetIssueSeverity.Error), outcome.FirstCause);
            issues.AddRange(outcome.Issues);
            if (outcome.Sample != null) samples.Add(outcome.Sample);
        }
        return new SegmentationDataset(classNames, samples, issues);
    }

    private static SampleOutcome Check(string name, string imageFolder, string? maskFolder, LabelSource labels, IReadOnlyList<string> classNames, bool verify)
    {
        var outcome = new SampleOutcome();
        int height = 0, width = 0;
        var imagePath = ImageFiles.Find(imageFolder, name);
        if (imagePath == null)
            outcome.Error(name, Path.Combine(imageFolder, name + ImageFiles.Extensions[0]), "image file is missing (tried .jpg, .jpeg, .png).");
        else
        {
            try
            {
                if (verify)
                {
                    var image = ImageFiles.Decode(imagePath);
                    (height, width) = (image.Height, image.Width);
                }
                else (height, width) = ImageFiles.ReadSize(imagePath);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                outcome.Error(name, imagePath, "image is unreadable: " + e.Message, e);
            }
        }

        IReadOnlyList<int>? ids = null;
        try
        {
            var (found, file, problem) = labels(name);
            if (problem != null) outcome.Error(name, file, problem);
            else ids = found;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            outcome.Error(name, "", "labels are unreadable: " + e.Message, e);
        }

        string? maskPath = null;
        if (maskFolder != null)
        {
            maskPath = Path.Combine(maskFolder, name + ".png");
            if (!File.Exists(maskPath)) outcome.Error(name, maskPath, "mask file is missing.");
            else if (height > 0) CheckMask(outcome, name, maskPath, height, width, classNames, ids, verify);
        }

        if (!outcome.HasErrors) outcome.Sample = new SegmentationSample(name, imagePath!, ids!, height, width, maskPath);
        return outcome;
    }

    private static void CheckMask(SampleOutcome outcome, string name, string maskPath, int height, int width, IReadOnlyList<string> classNames, IReadOnlyList<int>? ids, bool verify)
    {
        try
        {
            if (!verify)
            {
                var (mh, mw) = VocPalette.ReadMaskSize(maskPath);
                if (mh != height || mw != width) outcome.Error(name, maskPath, $"mask is {mh}x{mw} but the image is {height}x{width}.");
                return;
            }
            var (mask, h, w) = VocPalette.DecodeMaskPng(maskPath);
            var problem = MaskChecks.Check(mask, h, w, height, width, classNames.Count);
            if (problem != null)
            {
                outcome.Error(name, maskPath, problem);
                return;
            }
            if (ids == null) return;
            var extra = MaskChecks.Classes(mask).Except(ids).ToList();
            if (extra.Count > 0)
                outcome.Warning(name, maskPath, $"the mask shows class(es) {string.Join(", ", extra.Select(c => $"{classNames[c]} (label {c + 1})"))} that the image labels lack.");
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            outcome.Error(name, maskPath, "mask is unreadable: " + e.Message, e);
        }
    }
}
