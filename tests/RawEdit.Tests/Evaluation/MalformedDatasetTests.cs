using RawEdit.Evaluation.Datasets;

namespace RawEdit.Tests.Evaluation;

/// <summary>Bad records are refused with a message that names the record, its case id and the field.</summary>
[TestFixture]
internal class MalformedDatasetTests
{
    private const string GoodFlat = """
        {"case_id": 1, "prompt": "Paris is the capital of", "subject": "Paris", "target_new": "Italy", "ground_truth": "France",
         "rephrase_prompt": "Paris is in", "locality_prompt": "Berlin is the capital of", "locality_ground_truth": "Germany"}
        """;

    private const string GoodUpstream = """
        {"case_id": 3, "requested_rewrite": {"prompt": "{} is in", "subject": "Paris", "target_new": {"str": "Italy"}, "target_true": {"str": "France"}}}
        """;

    private const string GoodZsre = """
        {"subject": "UniFirst", "src": "What is made by UniFirst?", "rephrase": "What does UniFirst make?", "alt": "cars",
         "answers": ["uniform"], "loc": "nq question: who", "loc_ans": "me"}
        """;

    private static string Message(string json) =>
        Assert.Throws<InvalidDataException>(() => EditCaseReader.Parse(json, "data.json"))!.Message;

    [TestCase("""{"case_id": 7, "prompt": "x is y", "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}""",
        "data.json: record 1 (case_id 7) is missing field 'subject'")]
    [TestCase("""{"case_id": 7, "prompt": "Rome is y", "subject": "Paris", "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}""",
        "data.json: record 1 (case_id 7) has a prompt that does not contain its subject: prompt 'Rome is y', subject 'Paris'")]
    [TestCase("""{"case_id": 7, "prompt": "paris is y", "subject": "Paris", "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}""",
        "(case_id 7) has a prompt that does not contain its subject")]
    [TestCase("""{"case_id": 7, "prompt": "Paris is y", "subject": 12, "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}""",
        "record 1 (case_id 7) field 'subject' must be a string, found number")]
    [TestCase("""{"case_id": 7, "prompt": "Paris is y", "subject": "", "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}""",
        "record 1 (case_id 7) has an empty 'subject'")]
    [TestCase("""{"case_id": 7, "prompt": "Paris is y", "subject": "Paris", "target_new": "a", "ground_truth": "b", "rephrase_prompt": "r", "locality_prompt": "l"}""",
        "record 1 (case_id 7) is missing field 'locality_ground_truth'")]
    [TestCase("""{"prompt": "Paris is y", "subject": "Paris", "target_new": "a", "ground_truth": "b"}""",
        "data.json: record 1 is missing field 'case_id'")]
    [TestCase("\"just a string\"", "data.json: record 1 is a JSON string, not an object")]
    public void A_bad_flat_record_after_a_good_one_is_named(string bad, string expected) =>
        Assert.That(Message($"[{GoodFlat}, {bad}]"), Does.Contain(expected));

    [TestCase("""{"case_id": 9, "requested_rewrite": {"prompt": "{} is in", "subject": "Rome", "target_true": {"str": "Italy"}}}""",
        "data.json: record 1 (case_id 9) is missing field 'requested_rewrite.target_new'")]
    [TestCase("""{"case_id": 9, "requested_rewrite": {"prompt": "{} is in", "subject": "Rome", "target_new": {"id": "Q1"}, "target_true": {"str": "Italy"}}}""",
        "record 1 (case_id 9) is missing field 'requested_rewrite.target_new.str'")]
    [TestCase("""{"case_id": 9, "requested_rewrite": {"prompt": "Rome is in", "subject": "Rome", "target_new": {"str": "a"}, "target_true": {"str": "Italy"}}}""",
        "record 1 (case_id 9) has a requested_rewrite.prompt without {} for the subject")]
    [TestCase("""{"case_id": 9, "requested_rewrite": "Rome"}""",
        "record 1 (case_id 9) field 'requested_rewrite' must be an object, found string")]
    [TestCase("""{"case_id": 9, "requested_rewrite": {"prompt": "{} is in", "subject": "Rome", "target_new": {"str": "a"}, "target_true": {"str": "b"}}, "paraphrase_prompts": ["ok", 3]}""",
        "record 1 (case_id 9) field 'paraphrase_prompts[1]' must be a string, found number")]
    public void A_bad_upstream_counterfact_record_is_named(string bad, string expected) =>
        Assert.That(Message($"[{GoodUpstream}, {bad}]"), Does.Contain(expected));

    [TestCase("""{"subject": "Acme", "src": "What is made by UniFirst?", "rephrase": "r", "alt": "a", "answers": ["b"], "loc": "l", "loc_ans": "m"}""",
        "data.json: record 1 (case_id 1) has a question that does not contain its subject: src 'What is made by UniFirst?', subject 'Acme'")]
    [TestCase("""{"subject": "Acme", "src": "What is Acme?", "rephrase": "r", "alt": "a", "answers": [], "loc": "l", "loc_ans": "m"}""",
        "record 1 (case_id 1) has an empty 'answers' list")]
    [TestCase("""{"subject": "Acme", "src": "What is Acme?", "rephrase": "r", "alt": "a", "answers": ["b"], "loc_ans": "m"}""",
        "record 1 (case_id 1) is missing field 'loc'")]
    [TestCase("""{"subject": "Acme", "src": "What is Acme?", "rephrase": "r", "alt": "a", "answers": "b", "loc": "l", "loc_ans": "m"}""",
        "record 1 (case_id 1) field 'answers' must be an array of strings, found string")]
    public void A_bad_zsre_record_is_named_by_its_index(string bad, string expected) =>
        Assert.That(Message($"[{GoodZsre}, {bad}]"), Does.Contain(expected));

    [TestCase("{\"case_id\": 1}", "data.json: expected a JSON array of records")]
    [TestCase("[]", "data.json: the file holds no records")]
    [TestCase("[{\"case_id\": 1,", "data.json: not valid JSON")]
    [TestCase("[{\"question\": \"q\", \"answer\": \"a\"}]", "data.json: record 0 is in no known form")]
    public void A_file_that_is_not_a_dataset_is_refused(string json, string expected) =>
        Assert.That(Message(json), Does.Contain(expected));

    [Test]
    public void The_good_records_of_each_form_read_and_a_missing_file_is_named()
    {
        Assert.That(EditCaseReader.Parse($"[{GoodFlat}]").Form, Is.EqualTo(DatasetForm.FlatCounterFact));
        Assert.That(EditCaseReader.Parse($"[{GoodUpstream}]").Form, Is.EqualTo(DatasetForm.CounterFact));
        Assert.That(EditCaseReader.Parse($"[{GoodZsre}]").Form, Is.EqualTo(DatasetForm.ZsreMend));
        Assert.That(() => EditCaseReader.ReadFile("/no/such/file.json"),
            Throws.TypeOf<FileNotFoundException>().With.Message.EqualTo("dataset file not found: /no/such/file.json"));
    }

    [Test]
    public void Records_beyond_the_limit_are_not_read()
    {
        var dataset = EditCaseReader.Parse($"[{GoodFlat}, {{\"broken\": true}}]", "data.json", limit: 1);
        Assert.That(dataset.Cases, Has.Count.EqualTo(1));
    }
}
