namespace LpCam.MLNet.Data;

/// <summary>
/// Draws a <see cref="SyntheticLayout"/>: integer arithmetic and position hashes only (no trigonometry), so the pixels are
/// the same on every platform.
/// </summary>
internal static class SyntheticPainter
{
    /// <summary>Class tints of the bodies (muted, overlapping once jittered).</summary>
    private static readonly (int R, int G, int B)[] BodyTints = { (112, 116, 138), (142, 122, 98), (148, 148, 152), (122, 110, 96) };

    /// <summary>Saturated part colours: car red, boat yellow, plane magenta, cow teal.</summary>
    private static readonly (int R, int G, int B)[] PartColors = { (230, 40, 40), (245, 205, 30), (215, 50, 215), (30, 205, 190) };

    private static readonly (int R, int G, int B) StripeDark = (25, 25, 25);

    public static (float[] Pixels, byte[] Mask) Paint(SyntheticLayout layout, int size, SyntheticRandom rng)
    {
        double s = size / 256.0;
        var r = new int[size * size];
        var g = new int[size * size];
        var b = new int[size * size];
        var mask = new byte[size * size];
        Background(layout.Background, size, s, rng, r, g, b);
        foreach (var obj in layout.Objects) Object(obj, size, s, rng, r, g, b, mask);

        var pixels = new float[3 * size * size];
        int plane = size * size;
        for (int i = 0; i < plane; i++)
        {
            pixels[i] = Math.Clamp(r[i], 0, 255);
            pixels[plane + i] = Math.Clamp(g[i], 0, 255);
            pixels[2 * plane + i] = Math.Clamp(b[i], 0, 255);
        }
        return (pixels, mask);
    }

    private static void Background(int kind, int size, double s, SyntheticRandom rng, int[] r, int[] g, int[] b)
    {
        uint salt = rng.NextSalt();
        int j = rng.Next(-10, 10);
        switch (kind)
        {
            case 0: // road: asphalt grey with a dashed lane line
            {
                int laneY = rng.Next(size / 5, size * 4 / 5), laneH = L(4, s), dash = L(24, s), offset = rng.Next(0, 2 * dash);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 12);
                        bool lane = y >= laneY && y < laneY + laneH && (x + offset) / dash % 2 == 0;
                        Set(r, g, b, i, lane ? (220, 218, 200) : (95 + j + n, 95 + j + n, 98 + j + n));
                    }
                break;
            }
            case 1: // water: blue with wavy ripple highlights
            {
                int period = L(10, s), wave = L(32, s), amp = L(4, s), offset = rng.Next(0, wave);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 6);
                        int t = (x + offset) % wave, tri = (t < wave / 2 ? t : wave - t) * 2 * amp / wave;
                        int hi = (y + tri) % period < Math.Max(1, period * 3 / 10) ? 28 : 0;
                        Set(r, g, b, i, (35 + j + hi + n, 85 + j + hi + n, 150 + j + hi + n));
                    }
                break;
            }
            case 2: // sky: vertical gradient with white clouds
            {
                var clouds = new (double Cx, double Cy, double A, double B)[rng.Next(1, 3)];
                for (int k = 0; k < clouds.Length; k++)
                    clouds[k] = (rng.Next(0, size), rng.Next(0, size), L(rng.Next(16, 36), s), L(rng.Next(8, 16), s));
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 3);
                        bool cloud = false;
                        foreach (var c in clouds)
                        {
                            double dx = (x + 0.5 - c.Cx) / c.A, dy = (y + 0.5 - c.Cy) / c.B;
                            cloud |= dx * dx + dy * dy <= 1.0;
                        }
                        Set(r, g, b, i, cloud
                            ? (236 + n, 238 + n, 242 + n)
                            : (110 + j + 75 * y / size + n, 160 + j + 50 * y / size + n, 225 + j / 2 + 15 * y / size + n));
                    }
                break;
            }
            case 3: // grass: noisy green with darker blades
            {
                int blade = L(6, s);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 10);
                        int dark = SyntheticRandom.Hash(x, y / blade, salt ^ 0x5bd1e995u) % 5 == 0 ? -28 : 0;
                        Set(r, g, b, i, (60 + j + n + dark, 125 + j + 2 * n + dark, 45 + j + n + dark));
                    }
                break;
            }
            default: // wall: beige bricks with darker mortar
            {
                int row = L(16, s), brick = L(32, s), mortar = Math.Max(1, L(2, s));
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 6);
                        int shift = y / row % 2 * (brick / 2);
                        bool line = y % row < mortar || (x + shift) % brick < mortar;
                        Set(r, g, b, i, line ? (140 + n, 128 + n, 105 + n) : (185 + j + n, 165 + j + n, 130 + j + n));
                    }
                break;
            }
        }
    }

    private static void Object(SyntheticObject obj, int size, double s, SyntheticRandom rng, int[] r, int[] g, int[] b, byte[] mask)
    {
        var tint = BodyTints[obj.ClassId];
        int jitter = SyntheticScenes.BodyColorJitter;
        var body = (R: tint.R + rng.Next(-jitter, jitter), G: tint.G + rng.Next(-jitter, jitter), B: tint.B + rng.Next(-jitter, jitter));
        uint salt = rng.NextSalt();
        int hatch = L(6, s);
        byte label = (byte)(obj.ClassId + 1);
        var box = obj.Body;
        for (int y = Math.Max(0, box.Top); y < Math.Min(size, box.Top + box.Height); y++)
            for (int x = Math.Max(0, box.Left); x < Math.Min(size, box.Left + box.Width); x++)
            {
                if (!obj.BodyContains(x, y)) continue;
                int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt, 8);
                int t = (x + y) / hatch % 2 == 0 ? 14 : -14;
                Set(r, g, b, i, (body.R + t + n, body.G + t + n, body.B + t + n));
                mask[i] = label;
            }

        var part = obj.Part;
        var color = PartColors[obj.ClassId];
        int halfPeriod = Math.Max(1, L(SyntheticScenes.StripePeriod, s) / 2);
        for (int y = part.Top; y < part.Top + part.Height; y++)
            for (int x = part.Left; x < part.Left + part.Width; x++)
            {
                int u = x - part.Left, v = y - part.Top;
                int coordinate = obj.ClassId switch
                {
                    0 => v,                    // car: horizontal stripes
                    1 => u,                    // boat: vertical stripes
                    2 => u + v,                // plane: diagonal /
                    _ => u - v + part.Height,  // cow: diagonal \
                };
                int i = y * size + x, n = SyntheticRandom.Noise(x, y, salt ^ 0x27d4eb2fu, 6);
                var c = coordinate / halfPeriod % 2 == 0 ? color : StripeDark;
                Set(r, g, b, i, (c.R + n, c.G + n, c.B + n));
                mask[i] = label;
            }
    }

    private static void Set(int[] r, int[] g, int[] b, int i, (int R, int G, int B) c)
    {
        r[i] = c.R;
        g[i] = c.G;
        b[i] = c.B;
    }

    private static int L(int length, double s) => Math.Max(1, (int)Math.Round(length * s));
}
