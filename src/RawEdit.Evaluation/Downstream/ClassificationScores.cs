namespace RawEdit.Evaluation.Downstream;

/// <summary>
/// The forgetting study's downstream figures (glue_eval/*_eval.py): counts of correct, incorrect and invalid
/// (unparsable, prediction −1) answers, accuracy = correct / total, and sklearn's weighted F1 and Matthews
/// correlation over the labels and predictions, where −1 is a class of its own as sklearn treats it.
/// </summary>
internal sealed record ClassificationScores(int Correct, int Incorrect, int Invalid, int Total, double Accuracy, double F1, double Mcc)
{
    public const int InvalidAnswer = -1;

    public static ClassificationScores Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predictions)
    {
        if (labels.Count != predictions.Count) throw new ArgumentException($"{labels.Count} labels but {predictions.Count} predictions");
        if (labels.Count == 0) throw new ArgumentException("no examples to score");
        int correct = 0, invalid = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (predictions[i] == InvalidAnswer) invalid++;
            else if (predictions[i] == labels[i]) correct++;
        }
        return new ClassificationScores(correct, labels.Count - correct - invalid, invalid, labels.Count,
            (double)correct / labels.Count, WeightedF1(labels, predictions), MatthewsCorrelation(labels, predictions));
    }

    /// <summary>
    /// sklearn f1_score(average='weighted'): per class c of labels ∪ predictions, F1_c = 2·TP/(2·TP + FP + FN)
    /// (0 when undefined), averaged with weights = support of c among the labels.
    /// </summary>
    public static double WeightedF1(IReadOnlyList<int> labels, IReadOnlyList<int> predictions)
    {
        double weighted = 0;
        foreach (int c in labels.Concat(predictions).Distinct())
        {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < labels.Count; i++)
            {
                bool isTrue = labels[i] == c, isPredicted = predictions[i] == c;
                if (isTrue && isPredicted) tp++;
                else if (isPredicted) fp++;
                else if (isTrue) fn++;
            }
            int support = tp + fn, denominator = 2 * tp + fp + fn;
            weighted += support * (denominator == 0 ? 0 : 2.0 * tp / denominator);
        }
        return weighted / labels.Count;
    }

    /// <summary>
    /// sklearn matthews_corrcoef, the multi-class form (Gorodkin 2004) over the confusion matrix:
    /// MCC = (c·s − Σ_k p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)), c correct, s samples, p_k predicted and t_k true
    /// counts of class k; 0 when the denominator is 0.
    /// </summary>
    public static double MatthewsCorrelation(IReadOnlyList<int> labels, IReadOnlyList<int> predictions)
    {
        double s = labels.Count, c = labels.Where((l, i) => l == predictions[i]).Count();
        var classes = labels.Concat(predictions).Distinct().ToList();
        double pt = 0, pp = 0, tt = 0;
        foreach (int k in classes)
        {
            double p = predictions.Count(x => x == k), t = labels.Count(x => x == k);
            pt += p * t;
            pp += p * p;
            tt += t * t;
        }
        double denominator = Math.Sqrt((s * s - pp) * (s * s - tt));
        return denominator == 0 ? 0 : (c * s - pt) / denominator;
    }
}
