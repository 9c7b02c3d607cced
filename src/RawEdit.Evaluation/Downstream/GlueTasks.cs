namespace RawEdit.Evaluation.Downstream;

/// <summary>
/// The four downstream tasks of the forgetting study (glue_eval/sst_eval.py, mrpc_eval.py, cola_eval.py,
/// rte_eval.py): SST-2 4-shot, MRPC 6-shot Yes/No, CoLA 6-shot Yes/No, RTE 3-shot True/False; their
/// few-shot contexts, query layout and answer words as published. Run with greedy decoding of 3 new tokens.
/// </summary>
internal static class GlueTasks
{
    public const int NewTokens = 3;

    public static readonly GlueTask Sst2 = new("sst2", "sst2-200.json",
        """
        Review : excruciatingly unfunny and pitifully unromantic
        Sentiment : negative

        Review : rich veins of funny stuff in this movie
        Sentiment : positive

        Review : by far the worst movie of the year
        Sentiment : negative

        Review : fashioning an engrossing entertainment out
        Sentiment : positive


        """,
        e => "Review : " + e.Sentence1 + "\nSentiment :", "Sentiment :", [("positive", 1), ("negative", 0)]);

    public static readonly GlueTask Mrpc = new("mrpc", "mrpc-200.json",
        """
        Are the sentences paraphrases of each other.
        Sentence 1: Mr McDevitt has been granted control of three crucial aspects of policing in the Solomons.
        Sentence 2: Mr McDevitt has been granted control of three aspects of policing by Commissioner William Morrell.
        Answer: No

        Are the sentences paraphrases of each other.
        Sentence 1: They had published an advertisement on the Internet on June 10, offering the cargo for sale, he added.
        Sentence 2: On June 10, the ship's owners had published an advertisement on the Internet, offering the explosives for sale.
        Answer: Yes

        Are the sentences paraphrases of each other.
        Sentence 1: In 2002, Linksys overtook Cisco Systems as the leading wireless equipment vendor, accounting for 14.1 percent of revenue.
        Sentence 2: Rolfe said Linksys overtook Cisco Systems last year as the leading supplier of WLAN equipment.
        Answer: No

        Are the sentences paraphrases of each other.
        Sentence 1: The notification was first reported Friday by MSNBC.
        Sentence 2: MSNBC.com first reported the CIA request on Friday.
        Answer: Yes

        Are the sentences paraphrases of each other.
        Sentence 1: "The anticipated global sales improvement in the month of June did not materialize", said Chief Financial Officer Robert Rivet.
        Sentence 2: "The anticipated global sales improvement in the month of June did not materialize as we had anticipated", the company said.
        Answer: Yes

        Are the sentences paraphrases of each other.
        Sentence 1: That compared with $ 35.18 million, or 24 cents per share, in the year-ago period.
        Sentence 2: Earnings were affected by a non-recurring $8 million tax benefit in the year-ago period.
        Answer: No


        """,
        e => "Are the sentences paraphrases of each other.\n" + "Sentence 1: " + e.Sentence1 + "\n" + "Sentence 2: " + e.Sentence2 + "\n" + "Answer:",
        "Answer:", [("Yes", 1), ("No", 0)]);

    public static readonly GlueTask Cola = new("cola", "cola-200.json",
        """
        Is this sentence linguistically acceptable?
        Sentence : Bill pushed Harry off the sofa for hours.
        Answer : No

        Is this sentence linguistically acceptable?
        Sentence : Bill floated down the river for hours.
        Answer : Yes

        Is this sentence linguistically acceptable?
        Sentence : It is important for the more you eat, the more careful you to be.
        Answer : No

        Is this sentence linguistically acceptable?
        Sentence : It is important for you to be more careful, the more you eat.
        Answer : Yes

        Is this sentence linguistically acceptable?
        Sentence : Mary will believe Susan, and you will Bob.
        Answer : Yes

        Is this sentence linguistically acceptable?
        Sentence : You will Bob believe.
        Answer : No


        """,
        e => "Is this sentence linguistically acceptable?\n" + "Sentence : " + e.Sentence1 + "\n" + "Answer :", "Answer :", [("Yes", 1), ("No", 0)]);

    public static readonly GlueTask Rte = new("rte", "rte-200.json",
        """
        Cyrus captured Babylon without a battle, and remedied the evils done by previous Assyrian and Babylonian rulers by sending prisoners in Babylonia back to their original homelands and aiding in the restoration of temples of the gods of various nations.
        question: Babylon surrendered to Cyrus without going to battle. True or False?
        answer: False

        Successful plaintiffs recovered punitive damages in Texas discrimination cases 53% of the time.
        question: Legal costs to recover punitive damages are a deductible business expense. True or False?
        answer: True

        The gastric bypass operation, also known as stomach stapling, has become the most common surgical procedure for treating obesity.
        question: Obesity is medically treated. True or False?
        answer: False


        """,
        e => e.Sentence1 + "\n" + "question: " + e.Sentence2 + " True or False?" + "\n" + "answer:", "answer:", [("False", 0), ("True", 1)]);

    public static IReadOnlyList<GlueTask> All { get; } = [Sst2, Mrpc, Cola, Rte];
}
