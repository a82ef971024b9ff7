namespace LpCam.MLNet.Estimators;

/// <summary>Where the CAM head (the C x D classifier whose weights make the CAMs) comes from.</summary>
public enum CamHeadSource
{
    /// <summary>The backbone's own head when it carries one (a backbone written by <c>lpcam fine-tune</c> or
    /// <c>FineTuner</c>, trained end to end with it), else a linear head trained on the frozen features.</summary>
    Auto,

    /// <summary>Always train a linear head on the backbone's pooled features (the default).</summary>
    Train,

    /// <summary>Always the backbone's own head; a backbone without one is refused.</summary>
    Backbone,
}
