using LpCam.MLNet.Engine.Prototypes;
using static LpCam.MLNet.Tests.Engine.Prototypes.PrototypeTestData;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class PrototypeFitterTests
{
    private const int D = 8;

    /// <summary>
    /// One 4 x 4 image of class c: the left half holds features along e_c (the object), the right half along e_(4+c)
    /// (its context), each scaled by 10 with noise; the CAM is 1 on the left half and 0 on the right.
    /// </summary>
    private static (Tensor Features, Tensor Cam) Image(Random r, int c)
    {
        var f = new float[D * 16];
        for (int p = 0; p < 16; p++)
        {
            int axis = p % 4 < 2 ? c : 4 + c;
            for (int j = 0; j < D; j++)
                f[j * 16 + p] = (float)(10 * ((j == axis ? 1 : 0) + 0.005 * Gaussian(r)));
        }
        var cam = Enumerable.Range(0, 16).Select(p => p % 4 < 2 ? 1f : 0f).ToArray();
        return (tensor(f, new long[] { D, 4, 4 }), tensor(cam, new long[] { 1, 4, 4 }));
    }

    /// <summary>W: class c reads e_c with weight 5 (so a context along e_(4+c) scores 1/C).</summary>
    private static Tensor Weights(int classes)
    {
        var w = new float[classes * D];
        for (int c = 0; c < classes; c++)
            w[c * D + c] = 5;
        return tensor(w, new long[] { classes, D });
    }

    private static PrototypeFitter Fed(PrototypeFitterOptions options, int classes = 2, int imagesPerClass = 6, int seed = 0)
    {
        var fitter = new PrototypeFitter(classes, options);
        var r = new Random(seed);
        for (int i = 0; i < imagesPerClass; i++)
            for (int c = 0; c < classes; c++)
            {
                var (f, cam) = Image(r, c);
                using (f)
                using (cam)
                    fitter.Add(f, cam, [c]);
            }
        return fitter;
    }

    private static float[] Axis(int i)
    {
        var v = new float[D];
        v[i] = 1;
        return v;
    }

    [Fact]
    public void Fits_class_prototypes_on_the_object_and_context_prototypes_on_its_surroundings()
    {
        var fitter = Fed(new PrototypeFitterOptions { Clusters = 3, Seed = 1 });
        using var w = Weights(2);

        var fit = fitter.Fit(w);

        Assert.Equal(2, fit.Prototypes.ClassCount);
        Assert.Equal(D, fit.Prototypes.FeatureDim);
        for (int c = 0; c < 2; c++)
        {
            var p = fit.Prototypes.Classes[c];
            var r = fit.Reports[c];
            Assert.Equal(3, p.ClassCentres.Length);                 // all three pass mu_f: z_c ~ 1
            Assert.All(p.ClassCentres, centre => Assert.True(Cosine(centre, Axis(c)) > 0.95));
            Assert.All(p.ClassScores, z => Assert.True(z > 0.99));
            Assert.Equal(3, p.ContextCentres.Length);               // z_c ~ 1/2: between 0.05 and 0.9
            Assert.All(p.ContextCentres, centre => Assert.True(Cosine(centre, Axis(4 + c)) > 0.95));
            Assert.All(p.ContextScores, z => Assert.InRange(z, 0.3f, 0.7f));
            Assert.Equal(6, r.Images);
            Assert.Equal(48, r.ForegroundRowsSeen);
            Assert.Equal(48, r.ContextRowsSeen);
            Assert.Equal(3, r.ForegroundClusters);
            Assert.False(r.ClustersReduced);
            Assert.True(r.Foreground.Converged);
        }
    }

    [Fact]
    public void A_sample_smaller_than_K_is_clustered_into_as_many_clusters_as_rows()
    {
        var fitter = Fed(new PrototypeFitterOptions { Clusters = 12, SampleCap = 5 });
        using var w = Weights(2);

        var fit = fitter.Fit(w);

        Assert.All(fit.Reports, r =>
        {
            Assert.Equal(5, r.ForegroundRowsClustered);
            Assert.Equal(5, r.ForegroundClusters);
            Assert.Equal(5, r.ContextClusters);
            Assert.True(r.ClustersReduced);
        });
    }

    [Fact]
    public void The_same_seed_gives_the_same_prototypes()
    {
        using var w = Weights(2);
        var a = Fed(new PrototypeFitterOptions { Clusters = 4, Seed = 9, SampleCap = 30 }).Fit(w);
        var b = Fed(new PrototypeFitterOptions { Clusters = 4, Seed = 9, SampleCap = 30 }).Fit(w);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(a.Prototypes.Classes[c].ClassCentres, b.Prototypes.Classes[c].ClassCentres);
            Assert.Equal(a.Prototypes.Classes[c].ContextCentres, b.Prototypes.Classes[c].ContextCentres);
        }
    }

    [Fact]
    public void Deferred_rows_give_the_same_prototypes_and_reports_as_rows_kept_in_memory()
    {
        // The key samplers take the same slots as the row samplers (a small cap forces replacements), and the rows read
        // back per set are the same rows, so the prototypes are identical.
        var options = new PrototypeFitterOptions { Clusters = 3, Seed = 5, SampleCap = 20 };
        var kept = new PrototypeFitter(2, options);
        var deferred = new PrototypeFitter(2, options, deferRows: true);
        var images = new List<float[]>();
        var r = new Random(3);
        for (int i = 0; i < 12; i++)
        {
            var (f, cam) = Image(r, i % 2);
            using (f)
            using (cam)
            {
                kept.Add(f, cam, [i % 2]);
                deferred.Add(f, cam, [i % 2], imageKey: images.Count);
                images.Add(f.data<float>().ToArray());
            }
        }
        using var w = Weights(2);
        var a = kept.Fit(w);
        var b = deferred.Fit(w, key => images[key]);
        // Read into one reused buffer, larger than some images' features: only the first D x h x w values count.
        var fromBuffer = deferred.Fit(w, (int key, ref float[] buffer) =>
        {
            var f = images[key];
            if (buffer.Length < f.Length)
                buffer = new float[f.Length + 7];
            f.CopyTo(buffer, 0);
            return f.Length;
        });
        Assert.True(deferred.Samples.Foreground(0)!.KeysOnly);
        foreach (var other in new[] { b, fromBuffer })
            for (int c = 0; c < 2; c++)
            {
                Assert.Equal(a.Prototypes.Classes[c].ClassCentres, other.Prototypes.Classes[c].ClassCentres);
                Assert.Equal(a.Prototypes.Classes[c].ContextCentres, other.Prototypes.Classes[c].ContextCentres);
                Assert.Equal(a.Reports[c].ForegroundRowsClustered, other.Reports[c].ForegroundRowsClustered);
            }
        Assert.Throws<ArgumentNullException>(() => deferred.Fit(w));
        Assert.Throws<InvalidOperationException>(() => deferred.Samples.Foreground(0)!.ToArray()); // a key sampler holds no rows
    }

    [Fact]
    public void Classes_clustered_on_several_threads_give_the_same_prototypes()
    {
        using var w = Weights(3);
        var one = Fed(new PrototypeFitterOptions { Clusters = 3, Seed = 2, SampleCap = 25 }, classes: 3).Fit(w);
        var many = Fed(new PrototypeFitterOptions { Clusters = 3, Seed = 2, SampleCap = 25, Workers = 3 }, classes: 3).Fit(w);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(one.Prototypes.Classes[c].ClassCentres, many.Prototypes.Classes[c].ClassCentres);
            Assert.Equal(one.Prototypes.Classes[c].ContextCentres, many.Prototypes.Classes[c].ContextCentres);
            Assert.Equal(c, many.Reports[c].ClassIndex);
        }
    }

    [Fact]
    public void No_selection_keeps_the_context_centres_that_selection_drops()
    {
        using var w = Weights(2);
        // mu_b = 0.3 drops every context centre (they score ~0.5); without selection all K are kept.
        var selected = Fed(new PrototypeFitterOptions { Clusters = 2, ContextThreshold = 0.3 }).Fit(w);
        var all = Fed(new PrototypeFitterOptions { Clusters = 2, ContextThreshold = 0.3, Selection = false }).Fit(w);
        Assert.Empty(selected.Prototypes.Classes[0].ContextCentres);
        Assert.Equal(2, all.Prototypes.Classes[0].ContextCentres.Length);
    }

    [Fact]
    public void A_class_without_images_is_named()
    {
        var three = new PrototypeFitter(3, new PrototypeFitterOptions { Clusters = 2, ClassifierFallback = false });
        var r = new Random(0);
        var (f, cam) = Image(r, 0);
        using (f)
        using (cam)
        {
            three.Add(f, cam, [0]);
            three.Add(f, cam, [2]);
        }
        using var w = Weights(3);
        var e = Assert.Throws<InvalidOperationException>(() => three.Fit(w));
        Assert.Contains("class index 1", e.Message);
    }

    [Fact]
    public void A_class_with_an_empty_foreground_is_named()
    {
        var fitter = new PrototypeFitter(2, new PrototypeFitterOptions { Clusters = 2, ClassifierFallback = false });
        var (f, cam) = Image(new Random(0), 0);
        using (f)
        using (cam)
        using (var dark = zeros(1, 4, 4))
        {
            fitter.Add(f, cam, [0]);
            fitter.Add(f, dark, [1]);
        }
        using var w = Weights(2);
        var e = Assert.Throws<InvalidOperationException>(() => fitter.Fit(w));
        Assert.Contains("Class index 1", e.Message);
        Assert.Contains("empty foreground", e.Message);
    }

    [Fact]
    public void By_default_a_class_without_foreground_gets_its_classifier_direction()
    {
        var fitter = new PrototypeFitter(3, new PrototypeFitterOptions { Clusters = 2 });
        var (f, cam) = Image(new Random(0), 0);
        using (f)
        using (cam)
        using (var dark = zeros(1, 4, 4))
        {
            fitter.Add(f, cam, [0]);
            fitter.Add(f, dark, [1]);
        }
        using var w = Weights(3);
        var result = fitter.Fit(w);
        foreach (int c in new[] { 1, 2 })
        {
            Assert.True(result.Reports[c].ClassifierFallback);
            var centre = Assert.Single(result.Prototypes.Classes[c].ClassCentres);
            Assert.Empty(result.Prototypes.Classes[c].ContextCentres);
            var row = w[c].data<float>().ToArray();
            double norm = Math.Sqrt(row.Sum(v => (double)v * v));
            for (int d = 0; d < row.Length; d++) Assert.Equal(row[d] / norm, centre[d], 5);
        }
        Assert.False(result.Reports[0].ClassifierFallback);
        Assert.Equal(0, result.Reports[2].Images);
        Assert.Equal(1, result.Reports[1].Images);
    }

    [Fact]
    public void Fit_without_images_is_refused()
    {
        using var w = Weights(2);
        Assert.Throws<InvalidOperationException>(() => new PrototypeFitter(2).Fit(w));
    }

    [Fact]
    public void Weights_of_the_wrong_shape_are_rejected_with_the_expected_shape()
    {
        var fitter = Fed(new PrototypeFitterOptions { Clusters = 2 });
        using var w = Weights(3);
        var e = Assert.Throws<ArgumentException>(() => fitter.Fit(w));
        Assert.Equal("classifierWeights", e.ParamName);
        Assert.Contains("[3, 8]", e.Message);
        Assert.Contains("[2, 8]", e.Message);
    }

    [Theory]
    [InlineData("Clusters")]
    [InlineData("Tau")]
    [InlineData("SampleCap")]
    [InlineData("ClassThreshold")]
    [InlineData("ContextLowerBound")]
    [InlineData("MaxIterations")]
    [InlineData("Tolerance")]
    [InlineData("Device")]
    public void Bad_options_are_rejected_naming_the_parameter_and_value(string setting)
    {
        var options = setting switch
        {
            "Clusters" => new PrototypeFitterOptions { Clusters = -3 },
            "Tau" => new PrototypeFitterOptions { Tau = 1.5f },
            "SampleCap" => new PrototypeFitterOptions { SampleCap = 0 },
            "ClassThreshold" => new PrototypeFitterOptions { ClassThreshold = 2 },
            "ContextLowerBound" => new PrototypeFitterOptions { ContextLowerBound = -1 },
            "MaxIterations" => new PrototypeFitterOptions { MaxIterations = 0 },
            "Tolerance" => new PrototypeFitterOptions { Tolerance = -1 },
            _ => new PrototypeFitterOptions { Device = "tpu" },
        };
        var e = Assert.ThrowsAny<ArgumentException>(() => new PrototypeFitter(2, options));
        Assert.Equal(setting, e.ParamName);
        Assert.Contains(setting, e.Message);
        Assert.Contains("expected", e.Message);
    }

    [Fact]
    public void Class_indices_out_of_range_are_rejected_by_Add()
    {
        var fitter = new PrototypeFitter(2);
        var (f, cam) = Image(new Random(0), 0);
        using (f)
        using (cam)
            Assert.Equal("classIndices", Assert.Throws<ArgumentException>(() => fitter.Add(f, cam, [2])).ParamName);
    }
}
