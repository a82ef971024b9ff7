using System.Diagnostics;
using System.Threading.Channels;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Images;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The backbone step: runs the backbone once per image and cached scale (<see cref="FeatureFiles.CachedScales"/>, each
/// with its flip) and writes features/NAME.npz, as a bounded three-stage pipeline: one thread decodes and resizes the
/// next images, the calling thread runs the backbone (which uses every core itself), one thread writes the files. At
/// most a few images are in flight, so memory does not grow with the dataset. Images whose file exists are read back
/// instead (resume). Returns, in dataset order, what the caller asks of each image's scale-1 features.
/// </summary>
internal static class FeatureExtraction
{
    private const int Queue = 2;

    private sealed record Decoded(int Index, string Name, int Height, int Width, IReadOnlyList<(double Scale, RgbImage[] Batch)> Inputs);

    private sealed record Extracted(int Index, string Name, int Height, int Width, IReadOnlyList<ScaleFeatureMaps> Scales, int D);

    /// <summary>Extracts or reads the features of every image and returns <paramref name="summarize"/> of each image's scale-1 map.</summary>
    /// <param name="ctx">The run.</param>
    /// <param name="summarize">From the scale-1 features (D x h x w, C order), D and h x w to what the caller keeps per image
    /// (e.g. the pooled vector); called on a worker thread.</param>
    /// <param name="backboneTime">The time the backbone step took (decode, inference and writes overlapped).</param>
    public static T[] Run<T>(PipelineContext ctx, Func<float[], int, int, T> summarize, out TimeSpan backboneTime)
    {
        var names = ctx.Dataset.Names;
        var scales = FeatureFiles.CachedScales(ctx.Options.Scales.Scales);
        bool flip = ctx.Options.Scales.Flip;
        var results = new T[names.Count];
        var clock = Stopwatch.StartNew();
        using var progress = new Progress("features", names.Count);
        var decoded = Channel.CreateBounded<Decoded>(new BoundedChannelOptions(Queue) { SingleReader = true, SingleWriter = true });
        var extracted = Channel.CreateBounded<Extracted>(new BoundedChannelOptions(Queue) { SingleReader = true, SingleWriter = true });

        // Stage 1: decode and resize the images that need the backbone; read back the cached ones.
        var producer = Task.Run(() =>
        {
            try
            {
                for (int i = 0; i < names.Count; i++)
                {
                    string path = ctx.Folder.Features(names[i]);
                    // A cached file is read back whole (every scale the run needs) before it is reused; a damaged one is
                    // named, deleted and extracted again.
                    if (RunFolder.TryReuse(path, p => FeatureFiles.Read(p, scales, flip), out var cached))
                    {
                        var one = cached.Scales[0];
                        results[i] = summarize(one.F, cached.D, one.H * one.W);
                        progress.Tick(skipped: true);
                        continue;
                    }
                    var image = ctx.InputImage(names[i], out int height, out int width);
                    var inputs = new List<(double, RgbImage[])>(scales.Count);
                    foreach (double s in scales)
                    {
                        var (h, w) = InferenceScales.ScaledSize(image.Height, image.Width, s);
                        var scaled = s == 1.0 ? image : image.Resize(h, w);
                        inputs.Add((s, flip ? new[] { scaled, scaled.FlipHorizontal() } : new[] { scaled }));
                    }
                    decoded.Writer.WriteAsync(new Decoded(i, names[i], height, width, inputs)).AsTask().GetAwaiter().GetResult();
                }
                decoded.Writer.TryComplete();
            }
            catch (Exception e)
            {
                decoded.Writer.TryComplete(e);
            }
        });

        // Stage 3: write the files and keep the caller's summary of each image.
        Exception? writeError = null;
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in extracted.Reader.ReadAllAsync())
                {
                    FeatureFiles.Write(ctx.Folder.Features(item.Name), item.Scales, item.D, item.Height, item.Width);
                    var one = item.Scales[0];
                    results[item.Index] = summarize(one.F, item.D, one.H * one.W);
                    progress.Tick();
                }
            }
            catch (Exception e)
            {
                writeError = e;
                extracted.Writer.TryComplete(e); // the backbone's next hand-over fails instead of waiting forever
            }
        });

        // Stage 2: the backbone, on this thread.
        try
        {
            foreach (var item in decoded.Reader.ReadAllAsync().ToBlockingEnumerable())
            {
                var maps = new List<ScaleFeatureMaps>(item.Inputs.Count);
                foreach (var (s, batch) in item.Inputs)
                {
                    var f = ctx.Backbone.ExtractBatch(batch, out int h, out int w);
                    maps.Add(new ScaleFeatureMaps(s, f[0], flip ? f[1] : null, h, w));
                }
                extracted.Writer.WriteAsync(new Extracted(item.Index, item.Name, item.Height, item.Width, maps, ctx.Backbone.FeatureDim))
                    .AsTask().GetAwaiter().GetResult();
            }
            extracted.Writer.TryComplete();
        }
        catch (Exception e)
        {
            extracted.Writer.TryComplete(e);
            decoded.Writer.TryComplete(e); // stops the decoder
            Wait(producer, writer);
            if (writeError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(writeError).Throw();
            throw;
        }
        Wait(producer, writer);
        if (writeError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(writeError).Throw();
        backboneTime = clock.Elapsed;
        return results;
    }

    private static void Wait(Task producer, Task writer)
    {
        try
        {
            Task.WaitAll(producer, writer);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
