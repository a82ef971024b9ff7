using LpCam.MLNet.Engine.Prototypes;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class ReservoirSamplerTests
{
    [Fact]
    public void Keeps_every_item_with_probability_capacity_over_n()
    {
        // 1,000 items, capacity 100, 2,000 seeds: each item is kept 200 times in expectation, standard deviation
        // sqrt(2000 x 0.1 x 0.9) = 13.4. The band [140, 260] is 4.5 sigma wide; a biased rule (e.g. always
        // replacing the same slot, or never replacing) puts early or late items far outside it.
        const int items = 1000, capacity = 100, seeds = 2000;
        var kept = new int[items];
        for (int seed = 0; seed < seeds; seed++)
        {
            var sampler = new ReservoirSampler(dimension: 1, capacity, seed);
            for (int i = 0; i < items; i += 10)
                sampler.AddRows(Enumerable.Range(i, 10).Select(v => (float)v).ToArray());
            Assert.Equal(capacity, sampler.Count);
            foreach (var v in sampler.ToArray())
                kept[(int)v]++;
        }
        Assert.Equal(seeds * capacity, kept.Sum());
        Assert.All(kept, k => Assert.InRange(k, 140, 260));
        // First and last tenths are kept equally often (within 3%): no drift with the arrival order.
        double first = kept.Take(100).Average(), last = kept.Skip(900).Average();
        Assert.InRange(first / last, 0.97, 1.03);
    }

    [Fact]
    public void Keeps_all_rows_in_order_until_the_capacity()
    {
        var sampler = new ReservoirSampler(dimension: 2, capacity: 5, seed: 1);
        sampler.AddRows([1, 2, 3, 4, 5, 6]);
        Assert.Equal(3, sampler.Count);
        Assert.Equal(3, sampler.RowsSeen);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, sampler.ToArray());
        Assert.Equal(new float[] { 3, 4 }, sampler.Row(1).ToArray());
    }

    [Fact]
    public void Same_seed_same_sample_other_seed_other_sample()
    {
        float[] Run(int seed)
        {
            var s = new ReservoirSampler(3, 20, seed);
            for (int i = 0; i < 500; i++)
                s.Add([i, -i, i * 2]);
            return s.ToArray();
        }
        Assert.Equal(Run(4), Run(4));
        Assert.NotEqual(Run(4), Run(5));
    }

    [Fact]
    public void Memory_stays_at_the_capacity_however_many_rows_are_seen()
    {
        var sampler = new ReservoirSampler(dimension: 8, capacity: 300, seed: 0);
        var row = new float[8];
        for (int i = 0; i < 3_000; i++)
            sampler.Add(row);
        Assert.Equal(300, sampler.Count);
        Assert.True(sampler.AllocatedFloats <= 300 * 8);
        for (int i = 0; i < 27_000; i++)
            sampler.Add(row);
        Assert.Equal(30_000, sampler.RowsSeen);
        Assert.Equal(300, sampler.Count);
        Assert.True(sampler.AllocatedFloats <= 300 * 8);
    }

    [Fact]
    public void Small_samples_allocate_only_what_they_hold()
    {
        var sampler = new ReservoirSampler(dimension: 512, capacity: 50_000, seed: 0);
        sampler.Add(new float[512]);
        Assert.True(sampler.AllocatedFloats <= 64 * 512);
    }

    [Fact]
    public void Bad_arguments_are_rejected_by_name()
    {
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new ReservoirSampler(0, 10, 0)).ParamName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new ReservoirSampler(4, 0, 0)).ParamName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new ReservoirSampler(1 << 16, 1 << 16, 0)).ParamName);
        var sampler = new ReservoirSampler(4, 10, 0);
        var e = Assert.Throws<ArgumentException>(() => sampler.Add([1, 2, 3]));
        Assert.Equal("row", e.ParamName);
        Assert.Contains("3 values", e.Message);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => sampler.AddRows([1, 2, 3, 4, 5])).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Row(0).ToArray()).ParamName);
    }
}
