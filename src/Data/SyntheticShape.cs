namespace LpCam.MLNet.Data;

/// <summary>The outline of a synthetic object's body; both shapes are drawn for every class.</summary>
public enum SyntheticShape
{
    /// <summary>The ellipse inscribed in the body box.</summary>
    Ellipse,

    /// <summary>The body box with corners rounded by a quarter of its shorter side.</summary>
    RoundedRectangle,
}
