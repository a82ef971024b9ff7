using System.Diagnostics;
using System.Threading.Channels;
using LpCam.MLNet.Images;
using LpCam.MLNet.Onnx;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The backbone step: each image is put on its --long-side canvas exactly as ML.NET's ResizeImages(IsoPad) puts it
/// (<see cref="CanvasPixels"/>), and CamFeaturizer's own graph (<see cref="PackedFeatureExtractor"/>) gives the features
/// of every scale and flip, written to features/NAME.npz. A bounded three-stage pipeline: one thread decodes and resizes
/// the next images, the calling thread runs the graph (which uses every core itself), one thread writes the files. At
/// most a few images are in flight, so memory does not grow with the dataset. Images whose file exists are read back
/// instead (resume). Returns, in dataset order, what the caller asks of each image's scale-1 features.
/// </summary>
internal static class FeatureExtraction
{
    private const int Queue = 2;

    private sealed record Decoded(int Index, string Name, int Height, int Width, float[] Canvas);

    private sealed record Extracted(int Index, string Name, ImageFeatures Features);

    /// <summary>Extracts or reads the features of every image and returns <paramref name="summarize"/> of each image's scale-1 map.</summary>
    /// <param name="ctx">The run.</param>
    /// <param name="summarize">From the scale-1 features (D x h x w, C order), D and h x w to what the caller keeps per image
    /// (e.g. the pooled vector); called on a worker thread.</param>
    /// <param name="backboneTime">The time the backbone step took (decode, inference and writes overlapped).</param>
    public static T[] Run<T>(PipelineContext ctx, Func<float[], int, int, T> summarize, out TimeSpan backboneTime)
    {
        var names = ctx.Dataset.Names;
        var results = new T[names.Count];
        T Summary(ImageFeatures f)
        {
            var (one, h, w) = f.ScaleOne;
            return summarize(one, f.D, h * w);
        }
        var clock = Stopwatch.StartNew();
        using var progress = new Progress("features", names.Count);
        var decoded = Channel.CreateBounded<Decoded>(new BoundedChannelOptions(Queue) { SingleReader = true, SingleWriter = true });
        var extracted = Channel.CreateBounded<Extracted>(new BoundedChannelOptions(Queue) { SingleReader = true, SingleWriter = true });

        // Stage 1: put the images that need the backbone on their canvas; read back the cached ones.
        var producer = Task.Run(() =>
        {
            try
            {
                for (int i = 0; i < names.Count; i++)
                {
                    string path = ctx.Folder.Features(names[i]);
                    // A cached file is read back whole before it is reused; a damaged one is named, deleted and extracted again.
                    if (RunFolder.TryReuse(path, p => ctx.ReadFeatures(p), out var cached))
                    {
                        results[i] = Summary(cached);
                        progress.Tick(skipped: true);
                        continue;
                    }
                    var (canvas, height, width) = ctx.Canvas(names[i]);
                    decoded.Writer.WriteAsync(new Decoded(i, names[i], height, width, canvas)).AsTask().GetAwaiter().GetResult();
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
                    FeatureFiles.Write(ctx.Folder.Features(item.Name), item.Features);
                    results[item.Index] = Summary(item.Features);
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
            var extractor = ctx.FeatureExtractor;
            foreach (var item in decoded.Reader.ReadAllAsync().ToBlockingEnumerable())
            {
                var (packed, sizes) = extractor.Extract(item.Canvas, item.Height, item.Width);
                var features = new ImageFeatures(packed, sizes, extractor.FeatureDim, item.Height, item.Width);
                extracted.Writer.WriteAsync(new Extracted(item.Index, item.Name, features)).AsTask().GetAwaiter().GetResult();
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
