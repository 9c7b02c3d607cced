namespace RawEdit.Editing;

/// <summary>What an edit is busy with when it reports progress.</summary>
public enum EditStage
{
    /// <summary>Requests edited one after another (ROME, r-ROME, p-ROME, MEND): <see cref="EditProgress.Done"/> requests are applied.</summary>
    Requests,
    /// <summary>A batch method's target values: the value optimisation of <see cref="EditProgress.Done"/> requests has finished.</summary>
    TargetValues,
    /// <summary>A batch method's layer updates: <see cref="EditProgress.Done"/> of the edited layers are updated.</summary>
    LayerUpdates,
}

/// <summary>One progress report of an edit: <paramref name="Done"/> of <paramref name="Total"/> steps of a stage, and a line for people.</summary>
/// <param name="Stage">The stage the counts refer to.</param>
/// <param name="Done">Steps of the stage finished so far.</param>
/// <param name="Total">Steps the stage has.</param>
/// <param name="Message">A one-line description, as the command line prints it.</param>
public sealed record EditProgress(EditStage Stage, int Done, int Total, string Message);
