using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Classifier;

/// <summary>
/// Trains the CAM classifier head on a frozen backbone's globally average-pooled features, computed once.
/// </summary>
/// <remarks>
/// <para>Model: logits = W . mean f(x), with W a bias-free C x D linear layer (the 1x1 convolution of CAM, paper Eq. 1).
/// Because pooling is linear the logits are the spatial mean of the maps A_n = w_n . f(x), so the weights learned here are
/// exactly the CAM weights. Nothing is standardised: W applies to raw features. There is no bias because a CAM bias
/// would add a constant to every position of A_n.</para>
/// <para>Loss: multilabel soft margin, computed as <c>binary_cross_entropy_with_logits</c> with mean reduction over all
/// N x C entries (the same value as <c>multilabel_soft_margin_loss</c>: mean over classes, then over rows).</para>
/// <para>Optimisation: W starts at zero (the problem is convex, so no random initialisation is needed); rows are shuffled
/// every epoch by System.Random(seed); the learning rate decays polynomially per step. The same inputs, options and
/// device give the same weights.</para>
/// </remarks>
public sealed class MultiLabelHeadTrainer
{
    private readonly Device _device;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Settings; <see cref="MultiLabelHeadOptions"/> defaults when null (validated when built).</param>
    /// <param name="device">Where to train; the CPU when null (see <see cref="TorchDevice.Resolve"/>).</param>
    public MultiLabelHeadTrainer(MultiLabelHeadOptions? options = null, Device? device = null)
    {
        Options = options ?? new MultiLabelHeadOptions();
        _device = device ?? CPU;
    }

    /// <summary>The settings in use.</summary>
    public MultiLabelHeadOptions Options { get; }

    /// <summary>Trains on bool multi-hot labels; see the float overload.</summary>
    public HeadTrainingResult Train(
        IReadOnlyList<float[]> pooled, IReadOnlyList<bool[]> labels,
        IReadOnlyList<float[]>? validationPooled = null, IReadOnlyList<bool[]>? validationLabels = null) =>
        Train(pooled, HeadInputs.ToFloat(labels), validationPooled,
            validationLabels is null ? null : HeadInputs.ToFloat(validationLabels));

    /// <summary>Trains the head and, when validation rows are given, reports their per-class AP and mAP.</summary>
    /// <param name="pooled">N x D pooled features (raw, as the backbone gives them).</param>
    /// <param name="labels">N x C multi-hot labels (values in [0, 1]; C is the width of row 0).</param>
    /// <param name="validationPooled">Held-out features (same D), or null.</param>
    /// <param name="validationLabels">Held-out labels (same C); given exactly when <paramref name="validationPooled"/> is.</param>
    /// <exception cref="ArgumentException">No rows; ragged rows or a width that differs from D or C (expected and actual
    /// lengths in the message); a NaN or infinite value, or a label outside [0, 1] (the row in the message); validation
    /// features without labels or the reverse.</exception>
    public HeadTrainingResult Train(
        IReadOnlyList<float[]> pooled, IReadOnlyList<float[]> labels,
        IReadOnlyList<float[]>? validationPooled = null, IReadOnlyList<float[]>? validationLabels = null)
    {
        var (rows, dim, classes) = HeadInputs.Check(pooled, labels, "training");
        if ((validationPooled is null) != (validationLabels is null))
            throw new ArgumentException("Validation features and validation labels must be given together.",
                validationPooled is null ? nameof(validationPooled) : nameof(validationLabels));
        if (validationPooled is not null)
            HeadInputs.Check(validationPooled, validationLabels, "validation", dim, classes);

        using var scope = NewDisposeScope();
        var (weights, losses) = Fit(HeadInputs.Flatten(pooled, dim), HeadInputs.Flatten(labels, classes), rows, dim, classes);
        var head = new ClassifierHead(classes, dim, weights);
        AveragePrecisionReport? validation = validationPooled is null
            ? null
            : AveragePrecision.Compute(head.Scores(validationPooled), HeadInputs.ToBool(validationLabels!));
        return new HeadTrainingResult(head, losses, validation);
    }

    /// <summary>
    /// K-fold cross-validation (<see cref="DataSplit.KFold"/> with the options' seed): trains on k-1 folds and reports the
    /// held-out fold's AP, for every fold.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Train(IReadOnlyList{float[]}, IReadOnlyList{float[]}, IReadOnlyList{float[]}?, IReadOnlyList{float[]}?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> &lt; 2 or more than the rows.</exception>
    public CrossValidationResult CrossValidate(IReadOnlyList<float[]> pooled, IReadOnlyList<float[]> labels, int folds = 5)
    {
        var (rows, _, _) = HeadInputs.Check(pooled, labels, "training");
        var reports = new List<AveragePrecisionReport>();
        foreach (var split in DataSplit.KFold(rows, folds, Options.Seed))
        {
            var result = Train(
                DataSplit.Select(pooled, split.Train), DataSplit.Select(labels, split.Train),
                DataSplit.Select(pooled, split.HeldOut), DataSplit.Select(labels, split.HeldOut));
            reports.Add(result.Validation!);
        }
        return new CrossValidationResult(reports, reports.Average(r => r.Map));
    }

    /// <summary>
    /// The k-fold held-out mAP (<see cref="CrossValidate"/>) and the head trained on every image (<see cref="Train(IReadOnlyList{float[]}, IReadOnlyList{float[]}, IReadOnlyList{float[]}?, IReadOnlyList{float[]}?)"/>)
    /// in one call: the k + 1 trainings are independent, so they run on up to <paramref name="workers"/> threads. Each
    /// result is the same as from the sequential calls with the same TorchSharp thread count (the caller chooses it, e.g.
    /// one intra-op thread per worker).
    /// </summary>
    /// <param name="pooled">Pooled features, one D-vector per image.</param>
    /// <param name="labels">Multi-hot labels, one C-vector per image.</param>
    /// <param name="folds">k, at least 2.</param>
    /// <param name="workers">Trainings run at once; at least 1.</param>
    /// <returns>The cross-validation result and the head trained on all images.</returns>
    public (CrossValidationResult CrossValidation, HeadTrainingResult Final) CrossValidateAndTrain(
        IReadOnlyList<float[]> pooled, IReadOnlyList<float[]> labels, int folds, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var (rows, _, _) = HeadInputs.Check(pooled, labels, "training");
        var splits = DataSplit.KFold(rows, folds, Options.Seed).ToList();
        var results = new HeadTrainingResult[splits.Count + 1];
        void Job(int i)
        {
            if (i == splits.Count)
            {
                results[i] = Train(pooled, labels);
                return;
            }
            var split = splits[i];
            results[i] = Train(
                DataSplit.Select(pooled, split.Train), DataSplit.Select(labels, split.Train),
                DataSplit.Select(pooled, split.HeldOut), DataSplit.Select(labels, split.HeldOut));
        }
        try
        {
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, Job);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        var reports = results.Take(splits.Count).Select(r => r.Validation!).ToList();
        return (new CrossValidationResult(reports, reports.Average(r => r.Map)), results[^1]);
    }

    private (float[] Weights, float[] Losses) Fit(float[] features, float[] targets, int rows, int dim, int classes)
    {
        var x = tensor(features, new long[] { rows, dim }, device: _device);
        var y = tensor(targets, new long[] { rows, classes }, device: _device);
        var w = new TorchSharp.Modules.Parameter(zeros(classes, dim, device: _device), requires_grad: true);
        var parameters = new[] { w };
        optim.Optimizer optimizer = Options.Optimizer switch
        {
            HeadOptimizer.Sgd => optim.SGD(parameters, Options.LearningRate, weight_decay: Options.WeightDecay),
            _ => optim.Adam(parameters, Options.LearningRate, beta1: 0.9, beta2: 0.999, weight_decay: Options.WeightDecay),
        };

        int batch = Math.Min(Options.BatchSize, rows);
        int stepsPerEpoch = (rows + batch - 1) / batch;
        long totalSteps = (long)stepsPerEpoch * Options.Epochs;
        double power = Options.LearningRateDecayPower;
        var scheduler = optim.lr_scheduler.LambdaLR(optimizer, step => Math.Pow(Math.Max(0.0, 1.0 - (double)step / totalSteps), power));

        var random = new Random(Options.Seed);
        var order = new long[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        var losses = new float[Options.Epochs];
        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            for (int i = rows - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            double sum = 0;
            for (int start = 0; start < rows; start += batch)
            {
                using var stepScope = NewDisposeScope();
                int count = Math.Min(batch, rows - start);
                var index = tensor(order.AsSpan(start, count).ToArray(), device: _device);
                var logits = x.index_select(0, index).matmul(w.t());
                var loss = nn.functional.binary_cross_entropy_with_logits(logits, y.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                scheduler.step();
                sum += loss.item<float>() * count;
            }
            losses[epoch] = (float)(sum / rows);
        }
        var weights = w.detach().cpu().data<float>().ToArray();
        return (weights, losses);
    }
}
