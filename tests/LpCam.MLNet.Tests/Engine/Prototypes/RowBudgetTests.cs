using LpCam.MLNet.Engine;
using LpCam.MLNet.Engine.Prototypes;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class RowBudgetTests
{
    private static async Task<bool> Finishes(Task task, int milliseconds) =>
        await Task.WhenAny(task, Task.Delay(milliseconds)) == task;

    [Fact]
    public async Task A_set_waits_until_its_rows_fit_and_a_set_over_the_budget_runs_alone()
    {
        var budget = new RowBudget(10);
        long first = budget.Take(6);
        var second = Task.Run(() => budget.Take(6)); // 6 + 6 > 10: waits for the first
        Assert.False(await Finishes(second, 200));
        budget.Release(first);
        Assert.True(await Finishes(second, 5000));
        budget.Release(await second);

        long large = budget.Take(25); // larger than the budget, nothing held: runs
        var small = Task.Run(() => budget.Take(1));
        Assert.False(await Finishes(small, 200));
        budget.Release(large);
        Assert.True(await Finishes(small, 5000));
    }

    [Fact]
    public void Trimming_the_native_heap_is_harmless_anywhere() => NativeHeap.Trim();
}
